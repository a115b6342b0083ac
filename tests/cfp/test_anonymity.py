"""Anonymised review: nothing a reviewer can fetch names the speakers or their organisations.

pretalx #346, #649 and #1523 leaked names through the dashboard and the history; this test
crawls every page a reviewer can reach (every GET route open to reviewers, with real ids, and
every same-site link found on those pages), the exports, and the e-mails the reviewer received.
"""

from __future__ import annotations

import io
import json
import re
from html import unescape

import pypdfium2
import sqlalchemy as sa
from flask import Flask

from congress.accounts.models import Role
from congress.cfp import services
from congress.cfp.models import ProposalSpeaker, SlideUpload
from congress.extensions import db
from tests.archive.factories import minimal_pdf
from tests.cfp.factories import make_proposal, make_speaker, open_call
from tests.factories import make_congress, make_user

NAME, ORGANISATION = "Zoë Zichtbaar", "Stichting Geheimhouding"
CO_NAME, CO_ORGANISATION = "Bram Bekend", "Buurtcentrum Herkenbaar"
SECRETS = (NAME, ORGANISATION, CO_NAME, CO_ORGANISATION, "zoe@example.org", "bram@example.org", "Zichtbaar",
           "Geheimhouding", "Herkenbaar")


def _reviewer_routes(app: Flask, values: dict[str, str]) -> list[str]:
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods:
            continue
        view = app.view_functions[rule.endpoint]
        roles = getattr(view, "required_roles", None)
        if roles is None or Role.REVIEWER.value not in roles:
            continue
        url = rule.rule
        for arg in rule.arguments:
            url = re.sub(rf"<(?:[a-z]+:)?{arg}>", values.get(arg, "1"), url)
        urls.append(url)
    return urls


def _text_of(response) -> str:
    """What a reader sees in a response: PDFs are read as text too (a name could hide there)."""
    if response.mimetype == "application/pdf":
        pages = pypdfium2.PdfDocument(io.BytesIO(response.data))
        return "".join(page.get_textpage().get_text_range() for page in pages)
    return response.data.decode("utf-8", errors="replace")


def _crawl(client, start: list[str], limit: int = 200) -> dict[str, str]:
    seen: dict[str, str] = {}
    queue = list(start)
    while queue and len(seen) < limit:
        url = queue.pop(0)
        if url in seen or url.startswith(("/logout", "/static/", "/vendor/")):
            continue
        response = client.get(url)
        body = _text_of(response)
        seen[url] = body
        if response.status_code in (301, 302):
            queue.append(response.headers["Location"])
        if "html" in response.content_type:
            for link in re.findall(r'href="(/[^"#]*)"', body):
                queue.append(unescape(link))
    return seen


def _setup(app, organiser, *, anonymised: bool):
    with app.test_request_context():
        congress = make_congress("anoniem")
        open_call(congress, anonymised=anonymised)
        zoe = make_speaker(email="zoe@example.org", name=NAME, organisation=ORGANISATION)
        proposal = make_proposal(congress, zoe, title="Samen sterk in de wijk",
                                 abstract="Een werkvorm voor buurtbewoners.", notes="")
        bram = make_speaker(email="bram@example.org", name=CO_NAME, organisation=CO_ORGANISATION)
        proposal.speakers.append(ProposalSpeaker(person=services.person_for(bram), position=1))
        db.session.commit()
        reviewer = make_user("reviewer", name="Rita Recensent", email="rita@example.org")
        other = make_user("reviewer", name="Otto Ander", email="otto@example.org")
        services.assign_reviewer(congress, organiser, reviewer, track_id=proposal.track_id)
        services.assign_reviewer(congress, organiser, other, proposal=proposal)
        db.session.commit()
    # The speakers act as themselves too, so that their names are in the audit trail.
    app.test_client(user=zoe).post(f"/speaker/proposals/{proposal.id}/edit", data={
        "title": proposal.title, "abstract": proposal.abstract, "description": "", "format_duration":
        f"{proposal.format_id}:{proposal.duration}", "track_id": proposal.track_id, "language": "nl",
        "target_audience": "", "protective_factor": proposal.protective_factor, "notes": ""})
    db.session.refresh(proposal)
    with app.test_request_context():
        services.save_review(proposal, other, {c.id: 4 for c in services.criteria(congress)}, "Goed", "Mooi")
        services.decide([proposal], "hold")
        db.session.commit()
    return congress, proposal, reviewer


def _leaks(pages: dict[str, str]) -> list[tuple[str, str]]:
    return [(url, secret) for url, body in pages.items() for secret in SECRETS if secret in body]


def test_nothing_a_reviewer_can_fetch_names_the_speakers(app, organiser, mailbox):
    congress, proposal, reviewer = _setup(app, organiser, anonymised=True)
    client = app.test_client(user=reviewer)
    values = {"slug": congress.slug, "proposal_id": str(proposal.id), "upload_id": "1", "name": "x.jpg"}
    start = ["/manage/", "/manage/cfp/", f"/manage/cfp/{congress.slug}/proposals",
             f"/manage/cfp/{congress.slug}/proposals/{proposal.id}",
             f"/manage/cfp/{congress.slug}/export.csv", f"/manage/cfp/{congress.slug}/export.json",
             *_reviewer_routes(app, values)]
    pages = _crawl(client, start)
    detail = pages[f"/manage/cfp/{congress.slug}/proposals/{proposal.id}"]
    assert "Samen sterk in de wijk" in detail and "Uw beoordeling" in detail  # the reviewer does see the proposal
    assert "Geschiedenis" in detail and "Spreker" in detail  # history shown, actor by role
    assert "Samen sterk in de wijk" in pages[f"/manage/cfp/{congress.slug}/export.csv"]
    assert len(pages) >= 8
    assert _leaks(pages) == []
    # The e-mails the reviewer received.
    received = [m for m in mailbox if m["To"] == reviewer.email]
    assert received
    for message in received:
        text = str(message["Subject"]) + message.get_body(("plain",)).get_content()
        text += message.get_body(("html",)).get_content()
        assert not [s for s in SECRETS if s in text]
    # A reviewer may not look at the speakers' photos either.
    assert client.get("/speaker/photos/x.jpg").status_code == 403


def test_without_anonymity_the_same_crawl_finds_the_names(app, organiser):
    """The crawl is able to find a leak: in the open mode the names are there."""
    congress, proposal, reviewer = _setup(app, organiser, anonymised=False)
    client = app.test_client(user=reviewer)
    pages = _crawl(client, [f"/manage/cfp/{congress.slug}/proposals", f"/manage/cfp/{congress.slug}/export.csv"])
    leaks = _leaks(pages)
    assert (f"/manage/cfp/{congress.slug}/proposals", NAME) in leaks
    assert (f"/manage/cfp/{congress.slug}/export.csv", ORGANISATION) in leaks


# --- the speakers' own words: names, addresses and organisations in every free-text field -----------

INVITED = "carla.co@example.org"  # a co-speaker invited but not yet joined
FREE_TEXT_SECRETS = (*SECRETS, INVITED, "Zoë", "Bram")


def _identifying(field: str) -> str:
    return f"{field}: {NAME} ({ORGANISATION}, zoe@example.org) met {CO_NAME} van {CO_ORGANISATION}, bram@example.org"


def _setup_free_text(app, organiser):
    """An anonymised call where the speakers wrote who they are into every field a reviewer might see."""
    with app.test_request_context():
        congress = make_congress("anoniem-tekst")
        open_call(congress, anonymised=True)
        services.sync_questions(congress, "text | Wie geeft de sessie? | Who runs the session? | no\n"
                                          "textarea | Ervaring | Experience | no")
        db.session.commit()
        questions = services.questions(congress)
        zoe = make_speaker(email="zoe@example.org", name=NAME, organisation=ORGANISATION)
        person = services.person_for(zoe)
        person.bio = _identifying("bio")
        person.function = f"directeur {ORGANISATION}"
        db.session.commit()  # services refuse a session with changes made outside them
        proposal = make_proposal(
            congress, zoe,
            title=f"Samen sterk in de wijk met {NAME}",
            abstract=_identifying("samenvatting"), description=_identifying("beschrijving"),
            target_audience=f"buurtwerkers van {ORGANISATION}", notes=_identifying("notities voor de organisatie"),
            answers={str(questions[0].id): f"{NAME} en {CO_NAME}", str(questions[1].id): _identifying("ervaring")},
        )
        bram = make_speaker(email="bram@example.org", name=CO_NAME, organisation=CO_ORGANISATION)
        services.person_for(bram).bio = _identifying("bio co-spreker")
        proposal.speakers.append(ProposalSpeaker(person=services.person_for(bram), position=1))
        db.session.commit()
        services.invite_co_speaker(proposal, zoe, INVITED, "nl")
        reviewer = make_user("reviewer", name="Rita Recensent", email="rita@example.org")
        services.assign_reviewer(congress, organiser, reviewer, track_id=proposal.track_id)
        db.session.commit()
        services.decide([proposal], "accept")
        db.session.commit()
        services.upload_slides(proposal, zoe, f"{NAME} - {ORGANISATION}.pdf", minimal_pdf(f"Dia's van {NAME}"))
        db.session.commit()
    return congress, proposal, reviewer


def test_names_in_free_text_reach_no_reviewer_in_anonymised_mode(app, organiser, mailbox):
    congress, proposal, reviewer = _setup_free_text(app, organiser)
    client = app.test_client(user=reviewer)
    upload = db.session.scalars(sa.select(SlideUpload).where(SlideUpload.proposal_id == proposal.id)).one()
    values = {"slug": congress.slug, "proposal_id": str(proposal.id), "upload_id": str(upload.id), "name": "x.jpg"}
    detail_url = f"/manage/cfp/{congress.slug}/proposals/{proposal.id}"
    start = ["/manage/", "/manage/cfp/", f"/manage/cfp/{congress.slug}/proposals", detail_url,
             f"/manage/cfp/{congress.slug}/export.csv", f"/manage/cfp/{congress.slug}/export.json",
             f"/speaker/slides/{upload.id}", *_reviewer_routes(app, values)]
    pages = _crawl(client, start)
    detail = pages[detail_url]
    # The reviewer still reads the proposal, with the identifying words taken out.
    assert "Samen sterk in de wijk" in detail and "samenvatting:" in detail and "ervaring:" in detail
    assert "Samen sterk in de wijk" in pages[f"/manage/cfp/{congress.slug}/export.csv"]
    exported = json.loads(pages[f"/manage/cfp/{congress.slug}/export.json"])
    assert exported and "samenvatting:" in exported[0]["abstract"]
    leaks = [(url, s) for url, body in pages.items() for s in FREE_TEXT_SECRETS if s in body]
    # JSON may escape non-ASCII; read it decoded as well.
    leaks += [(f"{congress.slug}/export.json", s) for s in FREE_TEXT_SECRETS if s in json.dumps(exported,
                                                                                              ensure_ascii=False)]
    assert leaks == [], "\n".join(sorted({f"{u}: {s}" for u, s in leaks}))
    for message in (m for m in mailbox if m["To"] == reviewer.email):
        text = str(message["Subject"]) + message.get_body(("plain",)).get_content()
        assert not [s for s in FREE_TEXT_SECRETS if s in text]


def test_the_organiser_still_sees_the_free_text_as_written(app, organiser):
    congress, proposal, _ = _setup_free_text(app, organiser)
    client = app.test_client(user=organiser)
    detail = client.get(f"/manage/cfp/{congress.slug}/proposals/{proposal.id}").get_data(as_text=True)
    assert f"samenvatting: {NAME} ({ORGANISATION}" in unescape(detail)
    assert "notities voor de organisatie" in detail
