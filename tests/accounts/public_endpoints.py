"""Endpoints of the accounts capability that anyone may open (tests/test_security.py reads this list):
single sign-on begins before anyone is signed in (404 while no provider is configured); the passkey
step of signing in comes after the password, before anyone is signed in (it answers only the browser
whose password was just given: tests/accounts/test_passkeys.py)."""

PUBLIC_ENDPOINTS = {"accounts.oidc_start", "accounts.oidc_callback", "accounts.login_passkey_options",
                    "accounts.login_passkey"}
