"""The idioms written once: bilingual fields, secrets, storage, refusals and scoped lookups."""

from __future__ import annotations

import pytest
from blinker import Namespace
from flask import Flask
from werkzeug.exceptions import NotFound

from congress.archive.models import KnowledgeItem
from congress.core.models import Congress
from congress.core.queries import edition_or_404, of_edition_or_404
from congress.errors import Conflict, InvalidInput, ServiceError
from congress.i18n import pick, pick_language
from congress.programme.models import ProgrammeSession
from congress.signals import NoReceiver, first_answer, one_answer
from congress.storage import StorageKeyError, storage
from congress.tokens import hash_secret, new_secret
from tests.factories import make_congress


def test_pick_prefers_english_only_for_english_readers_with_a_text() -> None:
    assert pick("Nederlands", "English", "en") == "English"
    assert pick("Nederlands", "English", "nl") == "Nederlands"
    assert pick("Nederlands", "", "en") == "Nederlands"
    assert pick("Nederlands", None, "en") == "Nederlands"
    # The other language is the fallback both ways: only English is what a Dutch reader gets too.
    assert pick("", "English", "nl") == "English"
    assert pick(None, "English", "nl") == "English"
    assert pick("", "", "en") == "" and pick(None, None, "nl") == ""
    assert [pick_language(*pair, locale) for pair, locale in [(("N", "E"), "en"), (("N", ""), "en"),
                                                             (("", "E"), "nl"), (("N", "E"), "nl")]] == [
        "en", "nl", "en", "nl"]


def test_bilingual_field_reads_the_columns() -> None:
    congress = Congress(title_nl="Congres", title_en="Congress", tagline_nl="", tagline_en="Only English")
    assert congress.title("en") == "Congress"
    assert congress.title("nl") == "Congres"
    assert congress.tagline("nl") == "Only English"  # the other language as fallback
    assert Congress.title.field == "title"
    assert Congress.tagline.language(congress, "nl") == "en"
    assert Congress.title.versions(congress) == [("nl", "Congres"), ("en", "Congress")]


def test_bilingual_field_with_a_plain_dutch_column() -> None:
    """Sessions and knowledge items kept ``title`` as the Dutch text beside a new ``title_en``."""
    session = ProgrammeSession(title="Weerbaar online", title_en="", abstract="", abstract_en="Only English")
    assert session.title_for("en") == "Weerbaar online" and session.abstract_for("nl") == "Only English"
    session.title_en = "Resilient online"
    assert (session.title_for("en"), session.title_for("nl")) == ("Resilient online", "Weerbaar online")
    assert ProgrammeSession.title_for.language(session, "en") == "en"
    item = KnowledgeItem(title="Verslag", title_en="Report", summary="Kort.", summary_en="")
    assert (item.title_for("en"), item.summary_for("en")) == ("Report", "Kort.")
    assert KnowledgeItem.summary_for.versions(item) == [("nl", "Kort.")]


def test_hash_secret_is_sha256_and_takes_hostile_text() -> None:
    assert hash_secret("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert len(hash_secret("\ud800")) == 64  # a lone surrogate is hashed, not an error
    assert new_secret() != new_secret()
    assert len(new_secret()) >= 43


def test_storage_writes_atomically_and_refuses_path_tricks(app: Flask, tmp_path) -> None:
    app.config["CFP_UPLOAD_DIR"] = str(tmp_path / "cfp")
    with app.test_request_context():
        area = storage("cfp")
        area.put("slides/a.pdf", b"%PDF-1")
        assert area.read("slides/a.pdf") == b"%PDF-1"
        assert area.exists("slides/a.pdf") and area.size("slides/a.pdf") == 6
        assert sorted(p.name for p in (tmp_path / "cfp" / "slides").iterdir()) == ["a.pdf"]  # no temp file left
        response = area.send("slides/a.pdf", mimetype="application/pdf")
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        area.delete("slides/a.pdf")
        assert not area.exists("slides/a.pdf")
        with pytest.raises(NotFound):
            area.send("slides/a.pdf", mimetype="application/pdf")
        for key in ("../etc/passwd", "/etc/passwd", "a/../../b", "", ".hidden", "a\x00b", "a\\b"):
            with pytest.raises(StorageKeyError):
                area.path(key)
        with pytest.raises(KeyError):
            storage("nowhere")


def test_service_errors_carry_their_status() -> None:
    assert ServiceError("x").status == 422
    assert InvalidInput("x", field="email").errors == {"email": ["x"]}
    assert Conflict("full", code="full").status == 409
    assert isinstance(Conflict("x"), ValueError)


def test_uncaught_refusal_is_answered_with_its_status_in_json_and_html(app: Flask) -> None:
    refusal = Conflict("Deze workshop is vol.", code="full", field="sessions")
    handler = app.error_handler_spec[None][None][ServiceError]
    with app.test_request_context("/api/v1/x", headers={"Accept": "application/json"}):
        body, status = handler(refusal)
        assert status == 409
        assert body.json["error"] == {"code": 409, "title": "Conflict", "message": "Deze workshop is vol.",
                                      "reason": "full", "field": "sessions",
                                      "errors": {"sessions": ["Deze workshop is vol."]}}
    with app.test_request_context("/manage/x"):
        html, status = handler(refusal)
        assert status == 409 and "Deze workshop is vol." in html


def test_scoped_lookups_404_for_another_edition(app: Flask) -> None:
    mine, other = make_congress(slug="mijn"), make_congress(slug="ander")
    with app.test_request_context():
        assert edition_or_404("mijn").id == mine.id
        with pytest.raises(NotFound):
            edition_or_404("bestaat-niet")
        assert of_edition_or_404(Congress, mine.id, mine, attribute="id") is mine
        with pytest.raises(NotFound):
            of_edition_or_404(Congress, other.id, mine, attribute="id")


def test_one_answer_raises_for_a_kind_nobody_handles() -> None:
    wanted = Namespace().signal("wanted")

    def ticket(kind: str, *, argument: str) -> str:
        return f"{kind}:{argument}"

    wanted.connect(ticket, sender="ticket")
    wanted.connect(ticket, sender="ticket")  # connecting twice (a second app) changes nothing
    assert one_answer(wanted, "ticket", argument="42") == "ticket:42"
    with pytest.raises(NoReceiver):
        one_answer(wanted, "certificate", argument="42")
    assert first_answer(wanted, "certificate", default=7, argument="1") == 7
