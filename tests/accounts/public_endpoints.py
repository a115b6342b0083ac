"""Endpoints of the accounts capability that anyone may open (tests/test_security.py reads this list):
single sign-on begins before anyone is signed in (404 while no provider is configured)."""

PUBLIC_ENDPOINTS = {"accounts.oidc_start", "accounts.oidc_callback"}
