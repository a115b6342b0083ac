import pytest

from congress.badges import tokens


@pytest.fixture(scope="module")
def keys():
    return tokens.generate_key_pair(), tokens.generate_key_pair()


def test_sign_and_verify(keys):
    mine, _ = keys
    code = tokens.sign(mine.private_key, 7, 123456)
    assert len(code) == tokens.CODE_LENGTH == 129
    assert code.isalnum() and code.isupper()  # QR alphanumeric mode
    decoded = tokens.verify(code, mine.public_key)
    assert (decoded.congress_id, decoded.registration_id) == (7, 123456)
    assert len(decoded.nonce) == 6
    assert tokens.verify(code.lower(), mine.public_key) == decoded  # scanners may lower-case


def test_two_codes_for_the_same_registration_differ(keys):
    mine, _ = keys
    assert tokens.sign(mine.private_key, 1, 1) != tokens.sign(mine.private_key, 1, 1)


def test_one_changed_character_is_refused(keys):
    mine, _ = keys
    code = tokens.sign(mine.private_key, 1, 42)
    for position in range(2, len(code), 9):
        replacement = "A" if code[position] != "A" else "B"
        forged = code[:position] + replacement + code[position + 1 :]
        with pytest.raises(tokens.InvalidCode):
            tokens.verify(forged, mine.public_key)


def test_another_editions_key_is_refused(keys):
    mine, theirs = keys
    code = tokens.sign(theirs.private_key, 1, 42)
    with pytest.raises(tokens.InvalidCode):
        tokens.verify(code, mine.public_key)


@pytest.mark.parametrize("garbage", ["", "C1", "hello", "C1" + "A" * 127, "x" * 10_000, "C1" + "0" * 127,
                                     "\x00\x01binary", "C1" + "Ä" * 127])
def test_garbage_is_refused(keys, garbage):
    mine, _ = keys
    with pytest.raises(tokens.InvalidCode):
        tokens.verify(garbage, mine.public_key)
