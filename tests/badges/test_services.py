import pytest
import sqlalchemy as sa

from congress.badges import services, tokens
from congress.badges.models import EditionKey
from congress.extensions import db
from tests.factories import make_congress


def test_an_edition_gets_its_key_pair_when_it_is_created(app):
    congress = make_congress("met-sleutel")
    key = db.session.scalar(sa.select(EditionKey).where(EditionKey.congress_id == congress.id))
    assert key is not None and len(key.public_key) == 32 and len(key.private_key) == 32
    assert services.ensure_edition_key(congress).id == key.id  # one per edition


def test_codes_verify_against_their_own_edition_only(app):
    first, second = make_congress("eerste"), make_congress("tweede")
    code = services.sign_code(first, 41)
    assert services.verify_code(code, first).registration_id == 41
    with pytest.raises(services.WrongCongress):
        services.verify_code(code, second)


def test_a_code_signed_with_another_editions_key_is_forged(app):
    first, second = make_congress("een"), make_congress("twee")
    other_key = services.ensure_edition_key(second)
    forged = tokens.sign(other_key.private_key, first.id, 7)  # claims edition one, signed by two
    with pytest.raises(tokens.InvalidCode):
        services.verify_code(forged, first)


def test_a_stale_cached_public_key_is_read_again(app):
    """Scans keep public keys in memory; a key that no longer matches is looked up, not trusted."""
    congress = make_congress("sleutel-cache")
    code = services.sign_code(congress, 5)
    assert services.verify_code(code, congress.id).registration_id == 5  # cached now
    app.extensions["badge_public_keys"][congress.id] = tokens.generate_key_pair().public_key
    assert services.verify_code(code, congress.id).registration_id == 5
    assert app.extensions["badge_public_keys"][congress.id] == services.ensure_edition_key(congress).public_key


def test_unknown_edition(app):
    pair = tokens.generate_key_pair()
    with pytest.raises(tokens.InvalidCode):
        services.verify_code(tokens.sign(pair.private_key, 999_999, 1))
