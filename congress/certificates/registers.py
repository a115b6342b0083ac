"""Professional registers and the numbers people have in them.

The formats enforced (a number is always trimmed, and spaces and dots inside it are dropped first):

* **BIG-register** (``BIG``): exactly 11 digits, as the BIG number is issued.
* **SKJ** (Stichting Kwaliteitsregister Jeugd): digits only, 5 to 12 of them.
* every other register (Registerplein, Kwaliteitsregister V&V, …): 1 to 40 letters, digits and
  hyphens or slashes, as registers spell their numbers differently.

A register is recognised by its name, whatever its case ("BIG", "BIG-register", "big register").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# What organisers are offered when they add an accreditation (they may type another one).
KNOWN_REGISTERS = ("SKJ", "Registerplein", "Kwaliteitsregister V&V", "BIG-register", "ADAP", "NIP")
MAX_NUMBER = 40


@dataclass(frozen=True)
class NumberFormat:
    pattern: re.Pattern[str]
    message_key: str  # which explanation the form shows (see services.NUMBER_MESSAGES)


_FORMATS = {
    "big": NumberFormat(re.compile(r"\d{11}"), "big"),
    "skj": NumberFormat(re.compile(r"\d{5,12}"), "skj"),
}
_FREE = NumberFormat(re.compile(r"[0-9A-Za-z][0-9A-Za-z/-]{0,39}"), "free")


def register_key(name: str) -> str:
    """How a register's name is compared: lower case, without spaces, hyphens and "register"."""
    key = re.sub(r"[\s\-_.]+", "", name.casefold())
    return key.removesuffix("register") or key


def number_format(register: str) -> NumberFormat:
    return _FORMATS.get(register_key(register), _FREE)


def normalise_number(number: str) -> str:
    return re.sub(r"[\s.]+", "", number.strip())


def check_number(register: str, number: str) -> str | None:
    """The number as stored, or None when it does not have the register's format."""
    value = normalise_number(number)
    if not value or len(value) > MAX_NUMBER or not number_format(register).pattern.fullmatch(value):
        return None
    return value
