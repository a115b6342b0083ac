"""The one seam: badges listens to core and mail through their signals, connected by ``connect()``."""

from __future__ import annotations

import ast
from datetime import date
from pathlib import Path

import sqlalchemy as sa

from congress.badges import receivers, services
from congress.badges.models import EditionKey
from congress.core.models import Congress
from congress.core.signals import congress_created
from congress.database import write_transaction
from congress.extensions import db
from congress.mail.signals import attachment_wanted
from congress.signals import one_answer
from tests.badges.test_print import decode
from tests.registration.factories import open_congress, registered

BADGES = Path(services.__file__).parent


def _key_count(congress_id: int) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(EditionKey)
                             .where(EditionKey.congress_id == congress_id))


def test_congress_created_gives_the_edition_its_key_pair(app):
    with write_transaction():
        congress = Congress(slug="zonder-service", title_nl="Zonder", title_en="Without",
                            starts_on=date(2031, 5, 1), ends_on=date(2031, 5, 1))
        db.session.add(congress)
        db.session.flush()
        assert _key_count(congress.id) == 0  # nothing but the signal makes it
        congress_created.send(congress)
    assert _key_count(congress.id) == 1
    congress_created.send(congress)  # a second time changes nothing
    assert _key_count(congress.id) == 1


def test_the_ticket_is_the_one_answer_to_attachment_wanted(app):
    congress = open_congress("ticket-signaal")
    registration = registered(congress, name="Sien Signaal", email="sien@example.org", confirmed=True).registration
    name, content_type, pdf = one_answer(attachment_wanted, "ticket", argument=str(registration.id), locale="en")
    assert (name, content_type) == ("e-ticket-ticket-signaal.pdf", "application/pdf")
    assert decode(pdf) == [services.issue_code(registration)]


def test_connecting_again_connects_nothing_twice(app):
    receivers.connect()
    receivers.connect()
    assert list(attachment_wanted.receivers_for("ticket")) == [receivers.ticket]
    assert sum(r is receivers.make_key_pair for r in congress_created.receivers_for(object())) == 1


def test_badges_connects_nowhere_at_import_time():
    """No module of badges calls ``.connect(`` or registers anything at module level."""
    for path in BADGES.glob("*.py"):
        for node in ast.parse(path.read_text()).body:
            calls = [n for n in ast.walk(node) if isinstance(n, ast.Call)] if not isinstance(
                node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) else []
            decorators = node.decorator_list if isinstance(node, ast.FunctionDef) else []
            for call in calls + [d for d in decorators if isinstance(d, ast.Attribute)]:
                func = call.func if isinstance(call, ast.Call) else call
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                assert name != "connect" and not name.startswith("register_"), f"{path.name}: {name} at import"
