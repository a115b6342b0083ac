import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from congress.accounts import queries, services
from congress.accounts.models import AccountToken, ApiToken, Role, Token
from congress.audit.models import AuditEvent
from congress.database import utcnow
from congress.errors import ServiceError
from congress.extensions import db
from congress.tokens import hash_secret
from tests.factories import PASSWORD, make_user


def test_passwords_are_hashed_with_argon2(app):
    user = make_user(Role.ORGANISER.value)
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


def test_authenticate(app):
    user = make_user(Role.ORGANISER.value, email="Someone@Example.org")
    assert services.authenticate("someone@example.org", PASSWORD) == user
    assert services.authenticate("SOMEONE@example.org ", PASSWORD) == user
    assert services.authenticate("someone@example.org", "wrong password") is None
    assert services.authenticate("nobody@example.org", PASSWORD) is None
    user.active = False
    db.session.commit()
    assert services.authenticate("someone@example.org", PASSWORD) is None


def test_short_password_refused(app):
    with pytest.raises(services.AccountError):
        services.create_user("a@example.org", password="short")


def test_track_manager_is_scoped_to_tracks(app, congress):
    track = congress.tracks[0]
    user = services.create_user("tm@example.org", roles=(Role.TRACK_MANAGER.value,), track_ids=(track.id,))
    db.session.commit()
    assert user.managed_track_ids() == {track.id}
    assert user.has_role(Role.TRACK_MANAGER.value)
    assert not user.has_role(Role.ORGANISER.value)


def test_admin_has_every_role(app):
    admin = make_user(Role.ADMIN.value)
    assert all(admin.has_role(role.value) for role in Role)


def test_reset_token_is_single_use_and_expires(app):
    user = make_user(Role.ORGANISER.value)
    secret = services.issue_account_token(user, services.PURPOSE_RESET, timedelta(hours=1))
    db.session.commit()
    stored = db.session.scalar(sa.select(AccountToken))
    assert stored.token_hash != secret  # only the hash is stored
    services.redeem_account_token(secret, services.PURPOSE_RESET, "a brand new password")
    assert services.authenticate(user.email, "a brand new password") is not None
    with pytest.raises(services.AccountError):
        services.redeem_account_token(secret, services.PURPOSE_RESET, "another new password")

    expired = services.issue_account_token(user, services.PURPOSE_RESET, timedelta(seconds=-1))
    db.session.commit()
    with pytest.raises(services.AccountError):
        services.redeem_account_token(expired, services.PURPOSE_RESET, "yet another password")


def test_setting_a_password_any_way_spends_every_outstanding_link(app):
    user = make_user(Role.ORGANISER.value)
    reset = services.issue_account_token(user, services.PURPOSE_RESET, timedelta(hours=1))
    invite = services.issue_account_token(user, services.PURPOSE_INVITE, timedelta(days=1))
    db.session.commit()
    services.create_user(user.email, password="set from the command line")  # flask congress create-user
    db.session.commit()
    for secret, purpose in ((reset, services.PURPOSE_RESET), (invite, services.PURPOSE_INVITE)):
        assert services.check_account_token(secret, purpose) is None
        with pytest.raises(services.AccountError):
            services.redeem_account_token(secret, purpose, "a password from an old link")
    assert services.authenticate(user.email, "set from the command line") is not None


def test_reset_token_cannot_invite(app):
    user = make_user(Role.ORGANISER.value)
    secret = services.issue_account_token(user, services.PURPOSE_RESET, timedelta(hours=1))
    db.session.commit()
    with pytest.raises(services.AccountError):
        services.redeem_account_token(secret, services.PURPOSE_INVITE, "a brand new password")


def test_concurrent_redemption_succeeds_once(app):
    user = make_user(Role.ORGANISER.value)
    secret = services.issue_account_token(user, services.PURPOSE_RESET, timedelta(hours=1))
    db.session.commit()
    results: list[str] = []
    barrier = threading.Barrier(4)

    def redeem(n: int) -> None:
        with app.app_context():
            barrier.wait()
            try:
                services.redeem_account_token(secret, services.PURPOSE_RESET, f"password number {n}")
                results.append("ok")
            except services.AccountError:
                results.append("refused")
            except Exception as exc:  # database lock errors must not happen either
                results.append(f"error: {exc}")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=redeem, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["ok", "refused", "refused", "refused"]


def test_api_tokens_are_hashed_scoped_and_revocable(app):
    issued = services.create_api_token("scanner", "checkin")
    stored = db.session.get(ApiToken, issued.token.id)
    assert stored.token_hash != issued.secret and issued.secret not in stored.token_hash
    assert len(issued.secret) >= 40
    assert services.api_token_for(issued.secret, "checkin") == stored
    assert services.api_token_for(issued.secret, "read") == stored
    assert services.api_token_for(issued.secret, "registrations") is None
    assert services.api_token_for("cgr_forged", "checkin") is None
    services.revoke_api_token(stored.id)
    assert services.api_token_for(issued.secret, "checkin") is None
    actions = set(db.session.scalars(sa.select(AuditEvent.action)))
    assert {"api_token.create", "api_token.revoke"} <= actions


def test_unknown_role_refused(app):
    with pytest.raises(ValueError):
        services.create_user("x@example.org", roles=("emperor",))


def test_tokens_expire_in_the_future(app):
    user = make_user(Role.ORGANISER.value)
    services.issue_account_token(user, services.PURPOSE_INVITE, timedelta(days=7))
    db.session.commit()
    token = db.session.scalar(sa.select(AccountToken))
    assert token.expires_at > utcnow() + timedelta(days=6)


def test_one_token_table_keeps_the_kinds_apart(app):
    """E-mail links and API tokens share the table ``tokens``; each kind is read only as itself."""
    user = make_user(Role.ORGANISER.value)
    reset = services.issue_account_token(user, services.PURPOSE_RESET, timedelta(hours=1))
    services.issue_account_token(user, services.PURPOSE_INVITE, timedelta(days=1))
    issued = services.create_api_token("scanner", "checkin")
    db.session.commit()
    kinds = sorted(db.session.scalars(sa.select(Token.kind)))
    assert kinds == ["api", "invitation", "password_reset"]
    assert {t.purpose for t in db.session.scalars(sa.select(AccountToken))} == {"reset", "invite"}
    assert [t.id for t in db.session.scalars(sa.select(ApiToken))] == [issued.token.id]
    assert [t.id for t in queries.api_tokens()] == [issued.token.id]
    link = services.check_account_token(reset, services.PURPOSE_RESET)
    assert link is not None and link.token_hash == hash_secret(reset)  # the one hash_secret
    assert services.hash_secret is hash_secret
    # An e-mail link is no bearer token, and an id of one is no API token to revoke.
    assert services.api_token_for(reset, "read") is None
    assert services.revoke_api_token(link.id) is None
    assert services.check_account_token(reset, "unknown purpose") is None
    with pytest.raises(services.AccountError):
        services.redeem_account_token(reset, "unknown purpose", "a brand new password")


def test_account_errors_are_service_errors(app):
    with pytest.raises(ServiceError) as caught:
        services.set_password(make_user(), "short")
    assert isinstance(caught.value, services.AccountError) and caught.value.status == 422
