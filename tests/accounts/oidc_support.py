"""A real OpenID provider for the tests (``oidc_provider.mjs``: the certified ``oidc-provider`` from npm,
run with node on 127.0.0.1) and a headless person at it: its sign-in and consent forms are posted with
requests, and the redirect back to Congres is handed to the Flask test client."""

from __future__ import annotations

import json
import os
import re
import select
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import requests

from tests.urls_support import BASE

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).resolve().parent / "oidc_provider.mjs"
CLIENT_ID = "congres"
CLIENT_SECRET = "congres-geheim-voor-tests"
CALLBACK = f"{BASE}/login/oidc/callback"


@dataclass
class Provider:
    issuer: str
    process: subprocess.Popen

    def account(self, account_id: str, *, groups: list[str], email: str | None = None, name: str = "",
                email_verified: bool = True, misbehave: str | None = None, amr: list[str] | None = None) -> None:
        """Add or change one of the provider's accounts (its groups, address, a faulty token)."""
        body = {"name": name or account_id.title(), "email": email or f"{account_id}@minbzk.example",
                "email_verified": email_verified, "groups": groups}
        if misbehave:
            body["misbehave"] = misbehave
        if amr:
            body["amr"] = amr
        response = requests.put(f"{self.issuer}/_test/accounts/{account_id}", data=json.dumps(body), timeout=10)
        assert response.status_code == 204, response.text


def start_provider(redirect_uri: str = CALLBACK) -> Provider:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the single sign-on tests run a real OpenID provider with node")
    if not (ROOT / "node_modules" / "oidc-provider").is_dir():
        pytest.fail("node_modules/oidc-provider is missing: run `npm ci` (make test does)")
    errors = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 - read when it fails to start, closed with the test run
    env = {**os.environ, "OIDC_PORT": "0", "OIDC_CLIENT_ID": CLIENT_ID, "OIDC_CLIENT_SECRET": CLIENT_SECRET,
           "OIDC_REDIRECT_URI": redirect_uri}
    process = subprocess.Popen([node, str(SCRIPT)], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=errors,
                               text=True)
    deadline = time.monotonic() + 30
    line = ""
    while time.monotonic() < deadline and process.poll() is None:
        ready, _, _ = select.select([process.stdout], [], [], 0.5)
        if ready:
            line = process.stdout.readline()
            break
    if not line.startswith("ready "):
        process.kill()
        errors.seek(0)
        pytest.fail(f"the OpenID provider did not start: {line!r} {errors.read()[-2000:]}")
    return Provider(issuer=line.split()[1].strip(), process=process)


def stop_provider(provider: Provider) -> None:
    provider.process.terminate()
    try:
        provider.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        provider.process.kill()


def at_provider(start: str, login: str, *, cancel: bool = False) -> str:
    """Sign in as ``login`` at the provider from its authorization URL ``start`` and give consent (or
    cancel); returns the path and query the provider sends the browser back to at Congres."""
    browser = requests.Session()
    response = browser.get(start, allow_redirects=False, timeout=10)
    for _ in range(12):
        location = response.headers.get("Location")
        if location:
            location = urljoin(response.url, location)
            if location.startswith(BASE):
                parts = urlsplit(location)
                return f"{parts.path}?{parts.query}"
            response = browser.get(location, allow_redirects=False, timeout=10)
            continue
        assert response.status_code == 200, (response.status_code, response.text[:500])
        if cancel:
            abort = re.search(r'href="([^"]*/abort)"', response.text)
            assert abort, response.text[:500]
            response = browser.get(urljoin(response.url, abort.group(1)), allow_redirects=False, timeout=10)
            continue
        action = urljoin(response.url, re.search(r'action="([^"]+)"', response.text).group(1))
        prompt = re.search(r'name="prompt" value="(\w+)"', response.text).group(1)
        data = {"prompt": prompt, "login": login, "password": "whatever"} if prompt == "login" else {"prompt": prompt}
        response = browser.post(action, data=data, allow_redirects=False, timeout=10)
    raise AssertionError("the provider never sent the browser back")
