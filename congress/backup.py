"""Backups that restore: the database and the uploaded files in one folder, with a manifest.

``flask --app wsgi congress backup DIR`` writes

- ``database.sqlite3`` (SQLite's online backup API: one consistent snapshot while the application
  keeps running) or ``database.pgdump`` (``pg_dump --format=custom``, one snapshot transaction),
- ``files/<root>/…``: the uploads of the knowledge archive (``ARCHIVE_UPLOAD_DIR``), of the call for
  proposals (``CFP_UPLOAD_DIR``: speaker photos, slides) and the badge print runs
  (``instance/badges``),
- ``manifest.json``: format, application version, time, database kind and Alembic revision, and the
  size and SHA-256 of every file.

The folder holds signing keys, password hashes and personal data: it is created with mode 0700 and
every file with 0600. It is written beside its final name and renamed when complete, so a folder
with a manifest is a finished backup.

``flask --app wsgi congress restore DIR`` checks every hash before it touches anything, refuses a
damaged backup, a backup of the other database kind, and a database or file folder that already
holds data (unless ``--force``); it restores the database in one transaction and then swaps the
file folders in, putting the old ones back if anything fails.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.engine import URL, make_url

from congress import storage
from congress.database import end_transaction
from congress.extensions import db

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.pgdump"
DIR_MODE = 0o700
FILE_MODE = 0o600


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why and what to do."""


@dataclass
class Result:
    path: Path
    database: str
    files: int
    bytes: int


# --- what is backed up ----------------------------------------------------------------------------

# The name a storage area has inside a backup when it is not the area's own: the archive's files are
# "uploads" there (so that backups made before the storage areas existed restore as they are).
BACKUP_NAMES = {"archive": "uploads"}


def file_roots() -> dict[str, Path]:
    """The folders of uploaded and generated files (every area of ``congress.storage``), by the name
    they get in the backup."""
    return {BACKUP_NAMES.get(area, area): storage.root_of(area) for area in storage.AREAS}


def _database_url() -> URL:
    return make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])


def _dialect(url: URL) -> str:
    if url.get_backend_name() == "sqlite":
        if url.database in (None, "", ":memory:"):
            raise BackupError("an in-memory SQLite database cannot be backed up")
        return "sqlite"
    if url.get_backend_name() == "postgresql":
        return "postgresql"
    raise BackupError(f"unsupported database for backups: {url.get_backend_name()}")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _version() -> str:
    try:
        return metadata.version("congress")
    except metadata.PackageNotFoundError:
        return "unknown"


def _alembic_revision() -> str | None:
    try:
        return db.session.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    except sa.exc.DBAPIError:
        end_transaction()
        return None


# --- PostgreSQL client programs -------------------------------------------------------------------

def _pg_binary(name: str) -> str:
    """``pg_dump``/``pg_restore`` of the installed server (Debian keeps them per major version under
    /usr/lib/postgresql/N/bin); the server's own major version first, as pg_dump must not be older
    than the server."""
    try:
        server = int(db.session.execute(sa.text("SHOW server_version_num")).scalar()) // 10000
    except (sa.exc.DBAPIError, TypeError, ValueError):
        server = None
    candidates: list[Path] = []
    if server:
        candidates.append(Path(f"/usr/lib/postgresql/{server}/bin/{name}"))
    versions = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
                      key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0, reverse=True)
    candidates.extend(versions)
    on_path = shutil.which(name)
    if on_path:
        candidates.append(Path(on_path))
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    raise BackupError(f"{name} not found: install the PostgreSQL client programs (apt-get install postgresql-client)")


def _pg_arguments(url: URL) -> tuple[list[str], dict[str, str]]:
    """Connection options for the client programs from DATABASE_URL; the password goes in the
    environment (never on a command line that ``ps`` shows)."""
    arguments = []
    if url.host:
        arguments += ["--host", url.host]
    if url.port:
        arguments += ["--port", str(url.port)]
    if url.username:
        arguments += ["--username", url.username]
    arguments += ["--dbname", url.database or ""]
    env = {**os.environ}
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    for key, variable in (("sslmode", "PGSSLMODE"), ("sslrootcert", "PGSSLROOTCERT")):
        if key in url.query:
            env[variable] = str(url.query[key])
    return arguments, env


def _run(command: list[str], env: dict[str, str]) -> None:
    completed = subprocess.run(command, env=env, capture_output=True, text=True, timeout=3600, check=False)
    if completed.returncode != 0:
        detail = (completed.stderr or completed.stdout).strip().splitlines()
        raise BackupError(f"{Path(command[0]).name} failed: {detail[-1] if detail else completed.returncode}")


# --- backup ---------------------------------------------------------------------------------------

def backup(target: Path) -> Result:
    target = Path(target).absolute()
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise BackupError(f"{target} already exists and is not an empty folder: choose a new folder")
    target.parent.mkdir(parents=True, exist_ok=True)
    url = _database_url()
    dialect = _dialect(url)
    old_umask = os.umask(0o077)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.partial-", dir=target.parent))
    try:
        os.chmod(staging, DIR_MODE)
        revision = _alembic_revision()
        if dialect == "sqlite":
            database_file = SQLITE_FILE
            _backup_sqlite(Path(url.database), staging / SQLITE_FILE)
        else:
            database_file = PG_FILE
            arguments, env = _pg_arguments(url)
            _run([_pg_binary("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
                  f"--file={staging / PG_FILE}", *arguments], env)
        copied = []
        if storage.is_object_storage():
            # The objects are fetched into the backup, so that it restores on any installation.
            for area in storage.AREAS:
                copied += _copy_objects(storage.storage(area), staging / "files" / BACKUP_NAMES.get(area, area))
        else:
            for name, root in file_roots().items():
                if root.is_dir():
                    copied += _copy_tree(root, staging / "files" / name)
        files = {}
        for path in sorted(p for p in staging.rglob("*") if p.is_file()):
            os.chmod(path, FILE_MODE)
            files[path.relative_to(staging).as_posix()] = {"sha256": _sha256(path), "size": path.stat().st_size}
        for path in [staging, *(p for p in staging.rglob("*") if p.is_dir())]:
            os.chmod(path, DIR_MODE)
        manifest = {
            "format": FORMAT,
            "application": "congres",
            "version": _version(),
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "database": {"kind": dialect, "file": database_file, "alembic_revision": revision},
            "roots": sorted(file_roots()),
            "files": files,
        }
        manifest_path = staging / MANIFEST
        manifest_path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
        os.chmod(manifest_path, FILE_MODE)
        if target.exists():
            target.rmdir()
        staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        os.umask(old_umask)
    return Result(target, dialect, len(copied), sum(f["size"] for f in files.values()))


def _backup_sqlite(source: Path, destination: Path) -> None:
    """One consistent snapshot: the backup API copies every page in one step, inside one read
    transaction, while other connections keep writing (WAL)."""
    if not source.exists():
        raise BackupError(f"the database file {source} does not exist")
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=60)
    dst = sqlite3.connect(destination)
    try:
        src.backup(dst)
        # A single self-contained file (no -wal beside it), readable without write access.
        dst.execute("PRAGMA journal_mode = DELETE")
        if dst.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise BackupError("the copy of the database failed its integrity check")
    finally:
        dst.close()
        src.close()


def _copy_tree(source: Path, destination: Path) -> list[Path]:
    copied = []
    for path in sorted(source.rglob("*")):
        if path.is_symlink() or not path.is_file() or ".partial" in path.name:
            continue
        target = destination / path.relative_to(source)
        target.parent.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
        shutil.copyfile(path, target)
        copied.append(target)
    return copied


# --- verify and restore ---------------------------------------------------------------------------

def verify(source: Path) -> dict[str, Any]:
    """The manifest of a complete, undamaged backup; BackupError naming what is wrong otherwise."""
    source = Path(source)
    manifest_path = source / MANIFEST
    if not manifest_path.is_file():
        raise BackupError(f"{source} is not a backup: it has no {MANIFEST} (an unfinished or foreign folder)")
    try:
        manifest = json.loads(manifest_path.read_text())
        files = manifest["files"]
        kind = manifest["database"]["kind"]
        database_file = manifest["database"]["file"]
    except (ValueError, KeyError, TypeError):
        raise BackupError(f"{manifest_path} is damaged (not a readable manifest)") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"backup format {manifest.get('format')!r} is not supported (this version reads {FORMAT})")
    problems = []
    for name, entry in sorted(files.items()):
        path = source / name
        if ".." in Path(name).parts or Path(name).is_absolute():
            problems.append(f"{name}: not a path inside the backup")
        elif not path.is_file():
            problems.append(f"{name}: missing")
        elif path.stat().st_size != entry.get("size") or _sha256(path) != entry.get("sha256"):
            problems.append(f"{name}: contents changed (SHA-256 does not match the manifest)")
    listed = set(files)
    for path in source.rglob("*"):
        if path.is_file() and path != manifest_path and path.relative_to(source).as_posix() not in listed:
            problems.append(f"{path.relative_to(source).as_posix()}: not in the manifest")
    if database_file not in files or kind not in ("sqlite", "postgresql"):
        problems.append("the manifest names no database file")
    if problems:
        shown = "; ".join(problems[:5]) + (f"; and {len(problems) - 5} more" if len(problems) > 5 else "")
        raise BackupError(f"the backup in {source} is damaged, nothing was restored: {shown}")
    return manifest


def _database_has_rows() -> bool:
    inspector = sa.inspect(db.engine)
    names = set(inspector.get_table_names())
    for table in db.metadata.sorted_tables:
        if table.name in names and db.session.execute(sa.select(sa.literal(1)).select_from(table).limit(1)).first():
            return True
    return False


def _copy_objects(area: storage.Storage, target: Path) -> list[Path]:
    copied = []
    for key in area.list_keys():
        path = target / storage.check_key(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(area.read(key))
        copied.append(path)
    return copied


def _has_files(root: Path) -> bool:
    return root.is_dir() and any(p.is_file() for p in root.rglob("*"))


def restore(source: Path, *, force: bool = False) -> Result:
    source = Path(source).absolute()
    manifest = verify(source)
    url = _database_url()
    dialect = _dialect(url)
    kind = manifest["database"]["kind"]
    if kind != dialect:
        raise BackupError(f"this is a backup of a {kind} database; the configured database is {dialect}")
    if storage.is_object_storage():
        raise BackupError("restore into the local directories (STORAGE_URL unset), then copy the files into object "
                          "storage with `flask --app wsgi congress storage migrate --to s3://…`")
    roots = file_roots()
    if not force:
        occupied = []
        if _database_has_rows():
            occupied.append(f"the database ({url.render_as_string(hide_password=True)})")
        occupied += [str(root) for root in roots.values() if _has_files(root)]
        if occupied:
            raise BackupError("refusing to overwrite existing data in " + ", ".join(occupied)
                              + ": restore into an empty installation, or add --force to replace it")
    # Stage the files first: a failure here leaves everything as it was.
    staged: dict[str, Path] = {}
    try:
        for name, root in roots.items():
            root.parent.mkdir(parents=True, exist_ok=True)
            staged[name] = Path(tempfile.mkdtemp(prefix=f".{root.name}.restore-", dir=root.parent))
            backed_up = source / "files" / name
            if backed_up.is_dir():
                _copy_tree(backed_up, staged[name])
        db.session.remove()
        db.engine.dispose()
        database_path = source / manifest["database"]["file"]
        if dialect == "sqlite":
            _restore_sqlite(database_path, Path(url.database))
        else:
            arguments, env = _pg_arguments(url)
            _run([_pg_binary("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges",
                  "--single-transaction", "--exit-on-error", *arguments, str(database_path)], env)
    except BaseException:
        for path in staged.values():
            shutil.rmtree(path, ignore_errors=True)
        raise
    _swap_in(staged, roots)
    db.engine.dispose()
    files = [name for name in manifest["files"] if name.startswith("files/")]
    return Result(source, dialect, len(files), sum(e["size"] for e in manifest["files"].values()))


def _restore_sqlite(backup_file: Path, database: Path) -> None:
    """Copy the snapshot into the configured file through the backup API: the destination is
    replaced in one write transaction (a failure leaves it as it was)."""
    database.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(f"file:{backup_file}?mode=ro", uri=True)
    dst = sqlite3.connect(database, timeout=60)
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode = WAL")
    finally:
        dst.close()
        src.close()


def _swap_in(staged: dict[str, Path], roots: dict[str, Path]) -> None:
    """Put each restored folder in place of the current one; the old ones go only once all are in."""
    moved: list[tuple[Path, Path | None]] = []
    try:
        for name, root in roots.items():
            old = None
            if root.exists():
                old = root.with_name(f".{root.name}.old-{os.getpid()}")
                root.rename(old)
            moved.append((root, old))
            staged[name].rename(root)
            os.chmod(root, DIR_MODE)
    except BaseException:
        for root, old in reversed(moved):
            if old is not None:
                shutil.rmtree(root, ignore_errors=True)
                old.rename(root)
        raise
    for _root, old in moved:
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)

