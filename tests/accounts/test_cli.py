from congress.accounts.services import api_token_for, authenticate


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
