"""Endpoints of the legal capability that anyone may open (tests/test_security.py reads this list)."""

PUBLIC_ENDPOINTS = {"legal.privacy", "legal.accessibility_nl", "legal.accessibility"}
