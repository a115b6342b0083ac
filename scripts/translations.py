"""Keep the message catalogues in step with the code.

    python scripts/translations.py update          # extract strings, merge them into every catalogue
    python scripts/translations.py compile         # build the .mo files (make run/test do this)
    python scripts/translations.py init CAPABILITY # give a capability its own catalogue

There is one catalogue for the foundation (``congress/translations``) and one per capability that
has a ``congress/<capability>/translations`` folder; a capability's catalogue holds the strings of
``congress/<capability>/``, ``templates/<capability>/`` and ``templates/email/<capability>/``, so that
capabilities developed side by side never edit the same catalogue. Flask-Babel merges them.

English is the language of the message ids, so English catalogues are filled with the ids
themselves; Dutch strings are written by hand in each ``nl/LC_MESSAGES/messages.po``.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ("nl", "en")


def capabilities_with_catalogues() -> list[str]:
    return sorted(p.parent.name for p in (ROOT / "congress").glob("*/translations") if p.is_dir())


def mapping_for(capability: str | None) -> str:
    """A babel.cfg for one catalogue."""
    if capability is None:
        ignores = []
        for cap in capabilities_with_catalogues():
            ignores += [f"congress/{cap}/**", f"templates/{cap}/**", f"templates/email/{cap}/**"]
        sections = [f"[ignore: {pattern}]" for pattern in ignores]
        sections += ["[python: congress/**.py]", "[jinja2: templates/**.html]\ntrimmed = true",
                     "[jinja2: templates/**.txt]\ntrimmed = true"]
    else:
        sections = [f"[python: congress/{capability}/**.py]"]
        for folder in (f"templates/{capability}", f"templates/email/{capability}"):
            sections += [f"[jinja2: {folder}/**.html]\ntrimmed = true", f"[jinja2: {folder}/**.txt]\ntrimmed = true"]
        # No "[ignore: **]": Babel 2.18 applies ignore patterns before method patterns, so it would
        # ignore everything. Files that match no pattern are skipped anyway.
    return "\n".join(sections) + "\n"


def catalogue_dir(capability: str | None) -> Path:
    return ROOT / "congress" / (f"{capability}/translations" if capability else "translations")


def pybabel(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "-q", *args], check=True, cwd=ROOT)


def update_one(capability: str | None) -> None:
    target = catalogue_dir(capability)
    target.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        cfg = Path(tmp) / "babel.cfg"
        cfg.write_text(mapping_for(capability))
        pot = Path(tmp) / "messages.pot"
        pybabel("extract", "-F", str(cfg), "-k", "_l", "-k", "lazy_gettext", "--no-location", "--sort-output",
                "--omit-header", "-o", str(pot), ".")
        for locale in LOCALES:
            po = target / locale / "LC_MESSAGES" / "messages.po"
            if po.exists():
                pybabel("update", "-i", str(pot), "-d", str(target), "-l", locale, "--no-fuzzy-matching",
                        "--ignore-obsolete", "--omit-header")
            else:
                pybabel("init", "-i", str(pot), "-d", str(target), "-l", locale)
    english = target / "en" / "LC_MESSAGES" / "messages.po"
    with english.open("rb") as fh:
        catalog = read_po(fh, locale="en")
    for message in catalog:
        if message.id and not message.string:
            message.string = message.id
    with english.open("wb") as fh:
        write_po(fh, catalog, omit_header=True, no_location=True, sort_output=True)


def update() -> None:
    update_one(None)
    for capability in capabilities_with_catalogues():
        update_one(capability)


def init(capability: str) -> None:
    if not (ROOT / "congress" / capability).is_dir():
        raise SystemExit(f"no capability congress/{capability}")
    catalogue_dir(capability).mkdir(parents=True, exist_ok=True)
    update()


def compile_catalogues() -> None:
    for capability in [None, *capabilities_with_catalogues()]:
        pybabel("compile", "-d", str(catalogue_dir(capability)), "--use-fuzzy")


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "compile"
    if command == "init":
        init(sys.argv[2])
    else:
        {"update": update, "compile": compile_catalogues}[command]()
