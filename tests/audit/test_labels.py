"""Every action the code records has a name in Dutch and English (issue 14 §6: not
``registration.enrolment_override`` on a Dutch screen). The codes are read from the source: a new
``record("…")`` without a label in ``congress/audit/labels.py`` fails here."""

from __future__ import annotations

import re
from pathlib import Path

from congress.accounts.models import ACCOUNT_TOKEN_CLASSES
from congress.archive.models import ItemStatus
from congress.audit.labels import ACTIONS, FIELDS, KINDS, VALUES, action_label, kind_label
from congress.questions.services import _AUDIT_PREFIX

ROOT = Path(__file__).resolve().parents[2] / "congress"
LITERAL = re.compile(r"""\brecord\(\s*(?:f?"([^"]+)"(?:\s+if\s+[^"]+\s+else\s+"([^"]+)")?)""")
EXPORT = re.compile(r"""\brecord_export\(\s*"([^"]+)\"""")
AUDIT_TUPLE = re.compile(r"""audit=\("([^"]+)\"""")
# The f-strings that record a code built from a value, and every value they can take.
DYNAMIC = {
    "{event}": [],  # registration.lifecycle._cancel: the code comes from its callers' audit=(…) tuples
    "{_AUDIT_PREFIX[target]}.question_add": [f"{p}.question_add" for p in _AUDIT_PREFIX.values()],
    "{_AUDIT_PREFIX[question.target]}.question_update": [f"{p}.question_update" for p in _AUDIT_PREFIX.values()],
    # the questions editor (congress/questions/editing.py)
    "{AUDIT_PREFIX[question.target]}.question_update": [f"{p}.question_update" for p in _AUDIT_PREFIX.values()],
    "{_AUDIT_PREFIX[question.target]}.question_delete": [f"{p}.question_delete" for p in _AUDIT_PREFIX.values()],
    "user.{purpose}_redeemed": [f"user.{p}_redeemed" for p in ACCOUNT_TOKEN_CLASSES],
    "archive.item.{status}": [f"archive.item.{s.value}" for s in ItemStatus],
}


def recorded_codes() -> set[str]:
    codes: set[str] = set()
    for path in ROOT.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for match in LITERAL.finditer(text):
            for code in filter(None, match.groups()):
                if "{" in code:
                    assert code in DYNAMIC, f"{path}: record(f\"{code}\") — add its values to DYNAMIC and labels"
                    codes.update(DYNAMIC[code])
                else:
                    codes.add(code)
        codes.update(AUDIT_TUPLE.findall(text))
        codes.update("export." + what for what in EXPORT.findall(text) if "{" not in what)
    return codes


def test_the_source_is_read():
    codes = recorded_codes()
    # a sample of what is known to be recorded, so that a broken pattern cannot pass by finding nothing
    assert {"registration.create", "registration.cancel", "registration.expire", "user.login", "user.reset_redeemed",
            "archive.item.published", "cfp.question_update", "programme.track.update", "export.registrations",
            "export.audit", "mail.retry"} <= codes
    assert len(codes) > 80


def test_every_recorded_action_has_a_label():
    missing = sorted(recorded_codes() - set(ACTIONS))
    assert not missing, f"actions without a label in congress/audit/labels.py: {missing}"


def test_every_label_is_bilingual_and_written_out():
    for registry in (ACTIONS, KINDS, FIELDS, VALUES):
        for code, (nl, en) in registry.items():
            assert nl.strip() and en.strip(), code
    for code, (nl, en) in ACTIONS.items():
        assert "_" not in nl and "_" not in en, code  # a sentence, not a code
        assert nl != code and en != code


def test_labels_follow_the_language():
    assert action_label("registration.enrolment_override", "nl") == "Ingeschreven boven de capaciteit"
    assert action_label("registration.enrolment_override", "en") == "Enrolled beyond capacity"
    assert kind_label("ProgrammeSession", "nl") == "Sessie"
    assert action_label("something.new", "nl") == "something.new"  # unknown: shown, never an error
