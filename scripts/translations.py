"""Keep the message catalogues in step with the code.

    python scripts/translations.py update   # extract strings, merge them into nl and en
    python scripts/translations.py compile  # build the .mo files (done by make run/test)

English is the language of the message ids, so the English catalogue is filled with the ids
themselves; Dutch strings are written by hand in congress/translations/nl/LC_MESSAGES/messages.po.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "congress" / "translations"
POT = TRANSLATIONS / "messages.pot"


def pybabel(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], check=True, cwd=ROOT)


def update() -> None:
    TRANSLATIONS.mkdir(parents=True, exist_ok=True)
    pybabel("extract", "-F", "babel.cfg", "-k", "_l", "-k", "lazy_gettext", "--no-location",
            "--sort-output", "--omit-header", "-o", str(POT), ".")
    for locale in ("nl", "en"):
        po = TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"
        if po.exists():
            pybabel("update", "-i", str(POT), "-d", str(TRANSLATIONS), "-l", locale, "--no-fuzzy-matching",
                    "--ignore-obsolete", "--omit-header")
        else:
            pybabel("init", "-i", str(POT), "-d", str(TRANSLATIONS), "-l", locale)
    english = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
    with english.open("rb") as fh:
        catalog = read_po(fh, locale="en")
    for message in catalog:
        if message.id and not message.string:
            message.string = message.id
    with english.open("wb") as fh:
        write_po(fh, catalog, omit_header=True, no_location=True, sort_output=True)
    POT.unlink()


def compile_catalogues() -> None:
    pybabel("compile", "-d", str(TRANSLATIONS), "--use-fuzzy")


if __name__ == "__main__":
    {"update": update, "compile": compile_catalogues}[sys.argv[1] if len(sys.argv) > 1 else "compile"]()
