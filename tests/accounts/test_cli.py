import sqlalchemy as sa

from congress.accounts.models import User
from congress.accounts.services import api_token_for, authenticate
from congress.core.models import Track
from congress.database import write_transaction
from congress.extensions import db
from tests.factories import make_congress


def test_create_user_prints_a_generated_password(runner):
    result = runner.invoke(args=["congress", "create-user", "boss@example.org", "--role", "admin"])
    assert result.exit_code == 0, result.output
    password = result.output.strip().splitlines()[-1].removeprefix("Password: ")
    assert authenticate("boss@example.org", password) is not None


def test_create_user_with_given_password(runner):
    result = runner.invoke(args=["congress", "create-user", "x@example.org", "--role", "checkin",
                                 "--password", "a long enough password"])
    assert result.exit_code == 0
    assert authenticate("x@example.org", "a long enough password").roles == {"checkin"}


def test_create_token_prints_it_on_the_last_line(runner):
    result = runner.invoke(args=["congress", "create-token", "ci", "--scope", "checkin"])
    assert result.exit_code == 0, result.output
    secret = result.output.strip().splitlines()[-1]
    assert api_token_for(secret, "checkin") is not None
    listing = runner.invoke(args=["congress", "list-tokens"])
    assert "ci" in listing.output and secret not in listing.output
    revoked = runner.invoke(args=["congress", "revoke-token", "1"])
    assert revoked.exit_code == 0
    assert api_token_for(secret, "checkin") is None


def test_create_token_refuses_unknown_scope(runner):
    result = runner.invoke(args=["congress", "create-token", "ci", "--scope", "everything"])
    assert result.exit_code != 0


def test_create_user_for_one_edition_and_track(runner, app):
    congress = make_congress("congres-cli")
    other = make_congress("congres-ander")
    with write_transaction():
        track = Track(congress_id=congress.id, name_nl="Digitale weerbaarheid", name_en="Digital resilience")
        db.session.add(track)
    result = runner.invoke(args=["congress", "create-user", "tm@example.org", "--role", "track_manager",
                                 "--edition", "congres-cli", "--track", "digitale WEERBAARHEID",
                                 "--password", "een lang genoeg wachtwoord voor de test"])
    assert result.exit_code == 0, result.output
    assert "in congres-cli" in result.output
    user = db.session.scalar(sa.select(User).where(User.email == "tm@example.org"))
    assert {(g.role, g.congress_id, g.track_id) for g in user.grants} == {("track_manager", congress.id, track.id)}
    assert user.has_role_in(congress.id, "track_manager") and not user.has_role_in(other.id, "track_manager")


def test_create_user_refuses_an_unknown_edition_or_track(runner, app):
    make_congress("congres-cli")
    unknown = runner.invoke(args=["congress", "create-user", "x@example.org", "--role", "organiser",
                                  "--edition", "bestaat-niet"])
    assert unknown.exit_code != 0 and "no edition with slug 'bestaat-niet'" in unknown.output
    track = runner.invoke(args=["congress", "create-user", "x@example.org", "--role", "track_manager",
                                "--edition", "congres-cli", "--track", "Onbekend"])
    assert track.exit_code != 0 and "no track 'Onbekend'" in track.output
    two = runner.invoke(args=["congress", "create-user", "x@example.org", "--role", "track_manager",
                              "--track", "Onbekend"])
    assert two.exit_code != 0 and "--track needs exactly one --edition" in two.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User).where(User.email == "x@example.org")) == 0
