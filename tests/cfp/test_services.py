"""Rules of the call: limits, window, drafts, invitations, review maths, decisions, uploads."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta

import pytest
import sqlalchemy as sa
from PIL import Image
from pypdf import PdfWriter

from congress.archive import services as archive
from congress.audit.models import AuditEvent
from congress.cfp import services
from congress.cfp.models import CoSpeakerInvitation, Proposal, ProposalStatus, Review
from congress.extensions import db
from congress.registration import services as registration
from congress.registration.models import Registration
from congress.storage import storage
from congress.tokens import hash_secret
from tests.cfp.factories import make_proposal, make_speaker, open_call, proposal_data
from tests.factories import make_user


def _count() -> int:
    return db.session.scalar(sa.select(sa.func.count(Proposal.id)))


def test_over_long_text_is_refused_and_nothing_is_saved(congress):
    open_call(congress, title_max=20)
    speaker = make_speaker()
    with pytest.raises(services.CfpError, match="Titel is te lang"):
        make_proposal(congress, speaker, title="x" * 21)
    with pytest.raises(services.CfpError, match="Samenvatting is te lang"):
        make_proposal(congress, speaker, title="Kort", abstract="a" * 1001)
    assert _count() == 0


def test_a_closed_call_refuses_new_proposals_and_edits(congress):
    settings = open_call(congress)
    speaker = make_speaker()
    proposal = make_proposal(congress, speaker)
    settings.closes_at = settings.opens_at + (settings.closes_at - settings.opens_at) / 1000
    db.session.commit()
    assert not settings.is_open()
    with pytest.raises(services.CfpError, match="gesloten"):
        make_proposal(congress, speaker, title="Nog een")
    with pytest.raises(services.CfpError, match="gesloten"):
        services.update_proposal(proposal, speaker, proposal_data(congress, title="Gewijzigd"))
    db.session.refresh(proposal)
    assert proposal.title == "Weerbaar online in de klas" and _count() == 1


def test_a_sixth_proposal_where_five_are_allowed(congress):
    open_call(congress, max_proposals=5)
    speaker = make_speaker()
    for i in range(5):
        make_proposal(congress, speaker, title=f"Voorstel {i}", submit=i % 2 == 0)
    with pytest.raises(services.CfpError, match="maximaal 5 voorstellen"):
        make_proposal(congress, speaker, title="Zesde")
    assert _count() == 5
    # A withdrawn proposal frees a place.
    services.withdraw_proposal(db.session.scalar(sa.select(Proposal).limit(1)), speaker)
    make_proposal(congress, speaker, title="Zesde")
    assert _count() == 6


def test_draft_then_edit_then_submit_then_withdraw(congress):
    open_call(congress)
    speaker = make_speaker()
    draft = make_proposal(congress, speaker, submit=False, abstract="", format_id=None, duration=None)
    assert draft.status == ProposalStatus.DRAFT.value
    with pytest.raises(services.CfpError, match="samenvatting"):
        services.submit_proposal(draft, speaker)
    services.update_proposal(draft, speaker, proposal_data(congress, title="Beter"))
    services.submit_proposal(draft, speaker)
    assert draft.status == ProposalStatus.SUBMITTED.value and draft.submitted_at is not None
    other = make_speaker(email="ander@example.org")
    with pytest.raises(PermissionError):
        services.update_proposal(draft, other, proposal_data(congress, title="Gekaapt"))
    services.withdraw_proposal(draft, speaker)
    assert draft.status == ProposalStatus.WITHDRAWN.value
    actions = db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.object_type == "Proposal")).all()
    assert actions == ["cfp.proposal_created", "cfp.proposal_updated", "cfp.proposal_submitted",
                       "cfp.proposal_withdrawn"]


def test_the_format_fixes_the_durations(congress):
    open_call(congress)
    speaker = make_speaker()
    lecture = services.formats(congress)[1]
    with pytest.raises(services.CfpError, match="duren"):
        make_proposal(congress, speaker, format_id=lecture.id, duration=90)
    assert make_proposal(congress, speaker, format_id=lecture.id, duration=30).duration == 30


def test_invitation_only_for_the_invited_address_and_only_once(app, congress, mailbox):
    open_call(congress)
    owner = make_speaker()
    proposal = make_proposal(congress, owner)
    with app.test_request_context():
        services.invite_co_speaker(proposal, owner, "Kees@Example.org", "nl")
    body = mailbox[-1].get_body(("plain",)).get_content()
    secret = body.split("/speaker/join/")[1].split()[0]
    stranger = make_speaker(email="vreemd@example.org", name="Vreemde")
    with pytest.raises(services.CfpError, match="ander e-mailadres"):
        services.accept_invitation(secret, stranger)
    kees = make_speaker(email="kees@example.org", name="Kees")
    services.accept_invitation(secret, kees)
    with pytest.raises(services.CfpError, match="al gebruikt"):
        services.accept_invitation(secret, kees)
    with pytest.raises(services.CfpError, match="ongeldig"):
        services.accept_invitation("not-a-token", kees)
    db.session.refresh(proposal)
    assert [s.person.name for s in proposal.speakers] == ["Sanne Spreker", "Kees"]
    assert db.session.scalar(sa.select(CoSpeakerInvitation)).accepted_by_id == kees.id


def test_ranking_by_weighted_mean_median_and_spread(congress, organiser, request_ctx):
    open_call(congress)
    speaker = make_speaker()
    strong = make_proposal(congress, speaker, title="Sterk")
    weak = make_proposal(congress, speaker, title="Zwak")
    crit = services.criteria(congress)  # weights 3, 2, 2, 1
    reviewers = [make_user("reviewer", name=f"R{i}") for i in range(3)]
    for r in reviewers:
        services.assign_reviewer(congress, organiser, r, track_id=congress.tracks[0].id)
    db.session.commit()
    # weighted scores: 5.0, 3.0, 4.0 for "Sterk"; 2.0 and (3*1+2*3+2*3+1*3)/8 = 2.25 for "Zwak"
    services.save_review(strong, reviewers[0], {c.id: 5 for c in crit})
    services.save_review(strong, reviewers[1], {c.id: 3 for c in crit})
    services.save_review(strong, reviewers[2], {c.id: 4 for c in crit})
    services.save_review(weak, reviewers[0], {c.id: 2 for c in crit})
    services.save_review(weak, reviewers[1], {crit[0].id: 1, crit[1].id: 3, crit[2].id: 3, crit[3].id: 3})
    db.session.commit()
    rows = services.ranking(congress, organiser)[congress.tracks[0]]
    assert [r.proposal.title for r in rows] == ["Sterk", "Zwak"]
    assert (rows[0].mean, rows[0].median, rows[0].spread, rows[0].count) == (4.0, 4.0, 2.0, 3)
    assert (rows[1].mean, rows[1].median, rows[1].spread) == (2.12, 2.12, 0.25)
    per_reviewer, per_track = services.progress(congress, organiser)
    assert [(p.label, p.assigned, p.reviewed) for p in per_reviewer] == [("R0", 2, 2), ("R1", 2, 2), ("R2", 2, 1)]
    assert [(p.assigned, p.reviewed) for p in per_track] == [(2, 2)]


def test_scores_must_cover_every_criterion_within_the_scale(congress, organiser, request_ctx):
    open_call(congress)
    proposal = make_proposal(congress, make_speaker())
    reviewer = make_user("reviewer")
    services.assign_reviewer(congress, organiser, reviewer, proposal=proposal)
    crit = services.criteria(congress)
    with pytest.raises(services.CfpError):
        services.save_review(proposal, reviewer, {crit[0].id: 3})
    with pytest.raises(services.CfpError):
        services.save_review(proposal, reviewer, {c.id: 6 for c in crit})
    assert services.save_review(proposal, reviewer, {c.id: 3 for c in crit}).scores


def test_conflict_removes_the_reviewer_and_their_review(congress, organiser, request_ctx):
    open_call(congress)
    proposal = make_proposal(congress, make_speaker())
    reviewer = make_user("reviewer")
    services.assign_reviewer(congress, organiser, reviewer, track_id=proposal.track_id)
    services.save_review(proposal, reviewer, {c.id: 3 for c in services.criteria(congress)})
    services.declare_conflict(proposal, reviewer)
    db.session.commit()
    assert not services.can_review(proposal, reviewer)
    assert services.visible_proposals(congress, reviewer) == []
    assert db.session.scalar(sa.select(sa.func.count(Review.id))) == 0
    with pytest.raises(PermissionError):
        services.save_review(proposal, reviewer, {c.id: 3 for c in services.criteria(congress)})


def test_bulk_decisions_wait_for_the_organiser_before_mail(app, congress, mailbox):
    open_call(congress)
    speaker = make_speaker()
    proposals = [make_proposal(congress, speaker, title=f"V{i}") for i in range(3)]
    services.decide(proposals[:2], "accept")
    services.decide(proposals[2:], "reject")
    assert [p.status for p in proposals] == ["accepted", "accepted", "rejected"]
    assert mailbox == []
    with app.test_request_context():
        preview = services.preview_decision_mail(proposals[2])
        assert "V2" in preview["body"]
        assert services.send_decision_mails(congress) == 3
    assert len(mailbox) == 3
    assert services.pending_decision_mails(congress) == []
    with pytest.raises(services.CfpError):
        services.decide([proposals[0]], "maybe")


def test_confirmed_speakers_are_registered_through_the_registration_capability(app, congress, monkeypatch):
    open_call(congress)
    proposal = make_proposal(congress, make_speaker())
    services.decide([proposal], "accept")
    with app.test_request_context():
        services.send_decision_mails(congress)
    secret = "known-secret-for-test"
    proposal.confirm_token_hash = hash_secret(secret)
    db.session.commit()
    calls = []
    monkeypatch.setattr(registration, "register_speaker",
                        lambda congress, *, name, email, organisation: calls.append((congress.id, name, email,
                                                                                     organisation)))
    services.confirm_proposal(secret)
    assert calls == [(congress.id, "Sanne Spreker", proposal.speakers[0].person.email, "Gemeente Testdorp")]
    assert proposal.speakers[0].registered_at is not None
    assert services.register_confirmed_speakers(proposal) == 0  # never twice


def _refuse(congress, **kw):
    raise RuntimeError("registration is down")


def test_when_registering_a_speaker_fails_the_confirmation_stands_and_the_speaker_stays_pending(
        app, congress, monkeypatch, caplog):
    monkeypatch.setattr(registration, "register_speaker", _refuse)
    open_call(congress)
    proposal = make_proposal(congress, make_speaker())
    services.decide([proposal], "accept")
    proposal.confirm_token_hash = hash_secret("s")
    db.session.commit()
    services.confirm_proposal("s")
    db.session.expire_all()
    assert proposal.status == "confirmed" and proposal.session_id is not None
    assert proposal.speakers[0].registered_at is None
    assert "registering speaker" in caplog.text
    assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "cfp.proposal_confirmed"))
    assert not db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "cfp.speaker_registered"))


# --- photos and slides -------------------------------------------------------------------------


def _jpeg_with_exif() -> bytes:
    image = Image.new("RGB", (1600, 1200), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "GeheimeCamera"  # Make
    exif[0x8825] = {2: (52.0, 5.0, 0.0)}  # GPS
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def test_photo_is_reencoded_without_metadata(congress):
    data = _jpeg_with_exif()
    assert b"GeheimeCamera" in data
    cleaned = services.clean_photo(data)
    assert cleaned.startswith(b"\xff\xd8\xff") and b"GeheimeCamera" not in cleaned and b"Exif" not in cleaned
    with Image.open(io.BytesIO(cleaned)) as image:
        assert image.size == (256, 256) and not image.getexif()
    png = io.BytesIO()
    Image.new("RGBA", (10, 10)).save(png, "PNG", pnginfo=None)
    with Image.open(io.BytesIO(services.clean_photo(png.getvalue()))) as image:
        assert image.format == "JPEG" and image.size == (256, 256)


@pytest.mark.parametrize("data", [
    b"#!/bin/sh\nrm -rf /\n",
    b"\xff\xd8\xff<script>alert(1)</script>",
    b"<?php system($_GET['c']); ?>",
    b"GIF89a\x01\x00\x01\x00\x00\x00\x00;",
])
def test_a_script_disguised_as_a_photo_is_refused(congress, data):
    with pytest.raises(services.CfpError, match="PNG- of WebP-afbeelding"):
        services.clean_photo(data)


def test_an_oversized_photo_is_refused(congress):
    with pytest.raises(services.CfpError, match="te groot"):
        services.clean_photo(b"\xff\xd8\xff" + b"0" * services.PHOTO_MAX_BYTES)


def _pptx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("ppt/presentation.xml", "<presentation/>")
    return out.getvalue()


def test_slides_by_content_stored_by_hash_and_listed_for_the_session(app, congress):
    open_call(congress)
    speaker = make_speaker()
    proposal = make_proposal(congress, speaker)
    with pytest.raises(services.CfpError):
        services.upload_slides(proposal, speaker, "s.pdf", b"%PDF-1.4\n%%EOF")  # not accepted yet
    services.decide([proposal], "accept")
    proposal.confirm_token_hash = hash_secret("t")
    db.session.commit()
    services.confirm_proposal("t")
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"
    first = services.upload_slides(proposal, speaker, "../../etc/dia's.pdf", pdf)
    services.upload_slides(proposal, speaker, "deck.pptx", _pptx())
    for bad in (b"<script>alert(1)</script>", b"%PDF-but no end", b"PK\x03\x04broken zip"):
        with pytest.raises(services.CfpError, match="PDF of PowerPoint"):
            services.upload_slides(proposal, speaker, "x.pdf", bad)
    assert first.original_name == "dia's.pdf"
    files = services.session_slides(proposal.session_id)
    assert [f.content_type for f in files] == [services.PDF, services.PPTX]
    area = storage("cfp")
    assert area.read(files[0].key) == pdf and files[0].key == f"slides/{files[0].sha256}.pdf"


def test_cli_registers_pending_speakers_once_registration_works(app, congress, runner, monkeypatch):
    monkeypatch.setattr(registration, "register_speaker", _refuse)
    open_call(congress)
    proposal = make_proposal(congress, make_speaker())
    services.decide([proposal], "accept")
    proposal.confirm_token_hash = hash_secret("s")
    db.session.commit()
    services.confirm_proposal("s")
    result = runner.invoke(args=["cfp", "register-speakers", congress.slug])
    assert result.exit_code == 0 and "0 speaker(s) registered." in result.output
    assert runner.invoke(args=["cfp", "register-speakers", "no-such-edition"]).exit_code != 0
    calls = []
    monkeypatch.setattr(registration, "register_speaker",
                        lambda congress, *, name, email, organisation: calls.append(email))
    result = runner.invoke(args=["cfp", "register-speakers", congress.slug])
    assert result.exit_code == 0 and "1 speaker(s) registered." in result.output
    result = runner.invoke(args=["cfp", "register-speakers", congress.slug])
    assert "0 speaker(s) registered." in result.output
    assert len(calls) == 1


def test_slides_are_taken_up_by_the_archive(app, congress):
    """An ended edition's session is archived with the slides its speaker uploaded in the call."""
    open_call(congress)
    speaker = make_speaker()
    proposal = make_proposal(congress, speaker)
    services.decide([proposal], "accept")
    proposal.confirm_token_hash = hash_secret("t")
    db.session.commit()
    services.confirm_proposal("t")
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    services.upload_slides(proposal, speaker, "weerbaar-online.pdf", buffer.getvalue())
    outcome = archive.archive_sessions(congress, [proposal.session_id], today=congress.ends_on + timedelta(days=1),
                                       invite=False)
    db.session.commit()
    [item] = outcome.items
    assert outcome.refused_files == []
    assert [f.filename for f in item.files] == ["weerbaar-online.pdf"]


def test_confirmed_speakers_get_a_speaker_registration_and_a_ticket(app, congress, mailbox):
    """With the real registration capability: confirmed, role Spreker, no double opt-in, e-ticket."""
    open_call(congress)
    proposal = make_proposal(congress, make_speaker())
    services.decide([proposal], "accept")
    proposal.confirm_token_hash = hash_secret("real")
    db.session.commit()
    mailbox.clear()
    services.confirm_proposal("real")
    email = proposal.speakers[0].person.email
    registration = db.session.scalar(sa.select(Registration).where(Registration.email == email))
    assert (registration.status, registration.role) == ("confirmed", "spreker")
    assert proposal.speakers[0].registered_at is not None
    confirmed = [m for m in mailbox if m["To"] == email]
    assert confirmed, "the speaker gets the registration confirmation"
    attachments = [p.get_filename() for m in confirmed for p in m.iter_attachments()]
    assert any(name and name.startswith("e-ticket") for name in attachments)
