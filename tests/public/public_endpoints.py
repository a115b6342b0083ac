"""Public endpoints of the public pages beyond tests/test_security.py's list (read by it)."""

PUBLIC_ENDPOINTS = {
    "public.logo",  # the edition's logo (a public edition's only; a draft's is not found)
    "public.accent_css",  # the edition's accent colour as a stylesheet
}
