"""The base of every absolute link in tests: the fixed development default, never the test client's host."""

from urllib.parse import urlsplit

from congress.urls import DEFAULT_PUBLIC_BASE_URL

BASE = DEFAULT_PUBLIC_BASE_URL
BASE_NETLOC = urlsplit(BASE).netloc
DOMAIN = urlsplit(BASE).hostname
EVIL = "evil.example"
