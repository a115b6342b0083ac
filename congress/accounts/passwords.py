"""How strong a new password is: the estimator zxcvbn (how many guesses it would take) and a list of
the most common passwords (``common_passwords.txt``, Dutch and international). Never a composition
rule (no "one digit, one capital"): a long sentence of ordinary words is a good password.

zxcvbn explains itself in English; its findings are mapped to our own messages (translated) here, so
that the person choosing a password reads why in their own language.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from flask_babel import gettext as _
from zxcvbn import zxcvbn

# zxcvbn's score (0-4) a password needs: 3 is "safely unguessable: moderate protection from an
# offline attack" (some 10^8 guesses and more).
MIN_SCORE = 3
# zxcvbn's time grows with the length; what follows is enough to judge (and longer is only stronger).
_ESTIMATE_CHARACTERS = 64
_COMMON_FILE = Path(__file__).with_name("common_passwords.txt")
_TRAILING = re.compile(r"[\d\W_]+$")
_LEADING = re.compile(r"^[\d\W_]+")


@functools.cache
def common_passwords() -> frozenset[str]:
    lines = _COMMON_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def is_common(password: str) -> bool:
    """One of the most common passwords, also with digits or punctuation before or after it
    ("Welkom2025!", "!!wachtwoord")."""
    text = password.strip().lower()
    core = _LEADING.sub("", _TRAILING.sub("", text))
    common = common_passwords()
    return text in common or (core != "" and core in common) or text.replace(" ", "") in common


def _user_words(user_inputs: Iterable[str]) -> list[str]:
    words: list[str] = []
    for value in user_inputs:
        value = (value or "").lower()
        words.append(value)
        words.extend(w for w in re.split(r"[\s@._+-]+", value) if len(w) >= 3)
    return [w for w in words if w]


def _reason(match: dict[str, Any]) -> str:
    """Our message for the weakest part zxcvbn found."""
    pattern = match.get("pattern")
    if pattern == "dictionary":
        name = match.get("dictionary_name")
        if name == "passwords":
            return _("Too predictable: this resembles a commonly used password.")
        if name == "user_inputs":
            return _("Too predictable: it contains your name or e-mail address.")
        if name in ("female_names", "male_names", "surnames"):
            return _("Too predictable: names are easy to guess.")
        return _("Too predictable: single words are easy to guess.")
    if pattern == "spatial":
        return _("Too predictable: keyboard patterns such as qwerty or asdf are easy to guess.")
    if pattern == "repeat":
        return _("Too predictable: repetitions such as aaa or abcabc are easy to guess.")
    if pattern == "sequence":
        return _("Too predictable: sequences such as abc or 6543 are easy to guess.")
    if pattern in ("regex", "date"):
        return _("Too predictable: years and dates are easy to guess.")
    return _("Too predictable: it is too easy to guess.")


def weakness(password: str, *, user_inputs: Iterable[str] = ()) -> str | None:
    """Why ``password`` is too weak (one message in the user's language, with a suggestion), or None
    when it is strong enough."""
    advice = _("A sentence of a few unusual words is strong and easy to remember.")
    if is_common(password):
        common = _("Too predictable: this is one of the most used passwords.")
        return f"{common} {advice}"
    result = zxcvbn(password[:_ESTIMATE_CHARACTERS], user_inputs=_user_words(user_inputs))
    if result["score"] >= MIN_SCORE:
        return None
    matches = [m for m in result.get("sequence", []) if m.get("pattern") != "bruteforce"]
    weakest = max(matches, key=lambda m: len(m.get("token", "")), default={})
    return f"{_reason(weakest)} {advice}"
