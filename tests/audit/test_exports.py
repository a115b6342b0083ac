"""Every download of personal data from the back office is itself an audit event (issue 14 §6).

The back office's download endpoints are found in ``app.url_map`` (a rule under /manage that ends in a
file name: ``.csv``, ``.xlsx``, ``.pdf``, ``.json`` or ``.<fmt>``, and the few that serve files
without one); each is fetched for real and must record ``export.<what>`` with the edition, a count
and the format. A new download endpoint fails here until it records its event (or is listed, with
its reason, as holding no personal data).
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
import sqlalchemy as sa

from congress.audit.models import AuditEvent
from congress.badges import services as badges
from congress.certificates import services as certificates
from congress.extensions import db
from congress.mail import services as mail
from tests.cfp.factories import make_proposal, make_speaker, open_call
from tests.registration.factories import add_round, open_congress, registered

DOWNLOAD = re.compile(r"\.(csv|xlsx|pdf|json|<fmt>)$")
# Downloads without a file-name ending.
ALSO = {"manage.outbox_attachment"}
# Files that hold no personal data (counts, scripts, a job's progress).
NOT_PERSONAL = {
    "badges.run_progress": "a print run's progress, in numbers",
    "communications.mailings.progress": "a mailing's progress, in numbers",
    "invitations.progress": "the delivery of a list's invitations, in numbers",
    "checkin.dashboard_json": "arrival counts",
    "manage.registrations.chart_js": "the charting library",
    "legal.processing_register": "what the application stores and why, no person's data",
    "manage.cockpit.csv": "the cockpit's figures: counts per status, day, sector, workshop, hour",
    "manage.cockpit.headcount": "numbers per session, no names",
    "manage.cockpit.catering": "dietary and accessibility needs counted, no names",
    "evaluations.download": "evaluation results: aggregates only, nothing below the threshold, no free texts",
}
FORMATS = {"manage.registrations.export": ("csv", "xlsx"), "manage.registrations.attendance": ("csv", "xlsx", "pdf")}


def download_endpoints(app) -> dict[str, str]:
    found = {}
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or not rule.rule.startswith("/manage"):
            continue
        if (DOWNLOAD.search(rule.rule) or rule.endpoint in ALSO) and rule.endpoint not in NOT_PERSONAL:
            found[rule.endpoint] = rule.rule
    return found


@pytest.fixture
def world(app, monkeypatch, tmp_path):
    monkeypatch.setitem(app.config, "BADGE_DIR", str(tmp_path))
    congress = open_congress("congres-export")
    _round, (workshop, _other) = add_round(congress)
    person = registered(congress, [workshop.id], name="Eva Exporteur", email="eva@example.org", confirmed=True)
    run = badges.start_print_run(congress, "a6", "everyone")  # the job runs at once in tests
    open_call(congress)
    make_proposal(congress, make_speaker())
    message = mail.queue_mail("eva@example.org", "password_reset", locale="nl", user=None, congress_id=congress.id,
                              link="https://x/reset", hours=2, attachments=[("agenda.ics", "text/calendar", b"BEGIN")])
    db.session.commit()
    accreditation = certificates.add_accreditation(congress, register="SKJ", number="SKJ-2025-0142",
                                                   basis="session", points=Decimal(4), unit_hundredths=100)
    return {"slug": congress.slug, "session_id": workshop.id, "run_id": run.id, "registration_id": person.id,
            "message_id": message.id, "attachment_id": message.attachments[0].id,
            "accreditation_id": accreditation.id}, congress


def _exports() -> list[AuditEvent]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action.startswith("export."))
                                   .order_by(AuditEvent.id)))


def test_the_walk_finds_the_known_downloads(app):
    assert {"manage.registrations.export", "manage.registrations.attendance", "badges.download",
            "checkin.print_badge", "cfp.manage.export_csv", "cfp.manage.export_json", "manage.audit_csv",
            "manage.outbox_attachment"} <= set(download_endpoints(app))


def test_every_download_of_personal_data_records_an_event(app, admin, world):
    values, congress = world
    client = app.test_client(user=admin)
    for endpoint, rule in sorted(download_endpoints(app).items()):
        arguments = set(re.findall(r"<(?:[a-z]+:)?([a-z_]+)>", rule)) - {"fmt"}
        missing = arguments - set(values)
        assert not missing, f"{endpoint}: give the test a value for {missing}"
        for fmt in FORMATS.get(endpoint, (None,)):
            url = rule
            for name in arguments | ({"fmt"} if fmt else set()):
                url = re.sub(rf"<(?:[a-z]+:)?{name}>", str(fmt if name == "fmt" else values[name]), url)
            before = len(_exports())
            response = client.get(url)
            assert response.status_code == 200, (endpoint, url, response.status_code)
            events = _exports()
            assert len(events) == before + 1, f"{endpoint} ({url}) recorded no export event"
            event = events[-1]
            assert event.actor_user_id == admin.id, endpoint
            assert isinstance(event.data.get("count"), int) and event.data.get("format"), endpoint
            if endpoint != "manage.audit_csv":
                assert event.congress_id == congress.id, endpoint


def test_the_registrations_export_counts_its_rows(app, organiser, world):
    values, congress = world
    registered(congress, name="Tweede Persoon")
    client = app.test_client(user=organiser)
    assert client.get(f"/manage/registrations/{values['slug']}/export.csv").status_code == 200
    event = _exports()[-1]
    assert (event.action, event.data["count"], event.data["format"]) == ("export.registrations", 2, "csv")
