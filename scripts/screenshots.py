"""The README's screenshots, made from the demo data: ``make screenshots`` (not part of ``make test``).

A throw-away instance folder and SQLite database get the migrations and ``flask congress demo``'s data;
the app is served on a free local port and Chromium (Playwright, the system's /usr/bin/chromium) takes
the edition page, the registration page and a demo attendee's personal page at a phone's width (375 px)
and a desktop's (1280 px), in Dutch, into docs/screenshots/{edition,register,personal}-{phone,desktop}.png.
Only the first screen of each page is taken (what a visitor sees on arrival), which keeps every PNG small.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SIZES = {"phone": {"width": 375, "height": 812}, "desktop": {"width": 1280, "height": 900}}
EDITION = "congres-2025"
LIMIT_BYTES = 300 * 1024


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _demo_app(instance: Path, port: int):
    """An app on a fresh database in ``instance``, migrated and loaded with the demo data."""
    os.environ["CONGRESS_INSTANCE_DIR"] = str(instance)
    os.environ["DATABASE_URL"] = f"sqlite:///{instance / 'screenshots.db'}"
    os.environ["HUEY_SQLITE_PATH"] = str(instance / "huey.db")
    os.environ.setdefault("FLASK_APP", "wsgi")
    sys.path.insert(0, str(ROOT))
    from flask_migrate import upgrade  # noqa: PLC0415 - after the environment above is set

    from congress import create_app  # noqa: PLC0415 - reads the environment above
    from congress.demo import load_demo  # noqa: PLC0415 - loads the models, after create_app's config

    app = create_app({"PUBLIC_BASE_URL": f"http://127.0.0.1:{port}", "HUEY_IMMEDIATE": False})
    with app.app_context():
        upgrade()
        load_demo()
    return app


def _personal_path(app) -> str:
    """The personal page of the first confirmed demo registration of the upcoming edition."""
    import sqlalchemy as sa  # noqa: PLC0415 - the app's packages are importable only after _demo_app

    from congress.core import services as core  # noqa: PLC0415
    from congress.extensions import db  # noqa: PLC0415
    from congress.registration import services as registration  # noqa: PLC0415
    from congress.registration.models import Registration  # noqa: PLC0415

    with app.app_context():
        congress = core.congress_by_slug(EDITION)
        first = db.session.scalar(
            sa.select(Registration).where(Registration.congress_id == congress.id,
                                          Registration.status == "confirmed").order_by(Registration.id).limit(1))
        if first is None:
            raise SystemExit(f"the demo data has no confirmed registration for {EDITION}")
        return f"/my/{registration.manage_secret(first)}"


def take(out: Path = OUT) -> list[Path]:
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 - a dev dependency, only for this script
    from werkzeug.serving import make_server  # noqa: PLC0415

    if not Path(CHROMIUM).exists():
        raise SystemExit(f"Chromium not found at {CHROMIUM} (set CHROMIUM_PATH)")
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory(prefix="congres-screenshots-") as folder:
        port = _free_port()
        app = _demo_app(Path(folder), port)
        pages = {"edition": f"/{EDITION}/", "register": f"/{EDITION}/register", "personal": _personal_path(app)}
        server = make_server("127.0.0.1", port, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                for size, viewport in SIZES.items():
                    context = browser.new_context(locale="nl-NL", viewport=viewport,
                                                  is_mobile=size == "phone", has_touch=size == "phone")
                    page = context.new_page()
                    for name, path in pages.items():
                        response = page.goto(f"http://127.0.0.1:{port}{path}?lang=nl", wait_until="networkidle")
                        if response is None or response.status != 200:
                            raise SystemExit(f"{path} answered {response.status if response else 'nothing'}")
                        target = out / f"{name}-{size}.png"
                        page.screenshot(path=str(target))
                        written.append(target)
                    context.close()
                browser.close()
        finally:
            server.shutdown()
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="the folder for the PNGs (docs/screenshots)")
    args = parser.parse_args()
    for path in take(args.out):
        size = path.stat().st_size
        note = "" if size <= LIMIT_BYTES else f"  (over {LIMIT_BYTES // 1024} KB: do not commit)"
        print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}  {size // 1024} KB{note}")


if __name__ == "__main__":
    main()
