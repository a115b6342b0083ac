"""Exactly-once rules under real concurrent requests (gunicorn, 2 workers, loopback, bounded).

Eight simultaneous submissions by a speaker who has three of five allowed proposals make exactly
two; six simultaneous uses of one invitation link make exactly one co-speaker.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from congress.cfp import services
from congress.cfp.models import CoSpeakerInvitation, Proposal, ProposalSpeaker
from congress.extensions import db
from congress.tokens import hash_secret
from tests.cfp.factories import make_proposal, make_speaker, open_call
from tests.conftest import free_port
from tests.factories import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


@pytest.fixture
def server(app, tmp_path):
    port = free_port()
    url = sa.engine.make_url(app.config["SQLALCHEMY_DATABASE_URI"]).render_as_string(hide_password=False)
    env = {**os.environ, "DATABASE_URL": url, "CONGRESS_INSTANCE_DIR": str(tmp_path), "CONGRESS_ENV": "development",
           "RATELIMIT_ENABLED": "false", "HUEY_SQLITE_PATH": str(tmp_path / "huey.db")}
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}", "--timeout", "30",
         "wsgi:app"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60  # two workers importing the app on a busy machine
        while True:
            try:
                if requests.get(f"{base}/healthz", timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                pytest.fail("gunicorn did not start")
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def _login(base: str, email: str) -> requests.Session:
    session = requests.Session()
    token = _csrf(session.get(f"{base}/login", timeout=10).text)
    response = session.post(f"{base}/login", data={"email": email, "password": PASSWORD, "csrf_token": token},
                            allow_redirects=False, timeout=10)
    assert response.status_code == 302, response.status_code
    return session


def test_simultaneous_submissions_respect_the_maximum(app, congress, server):
    open_call(congress, max_proposals=5)
    user = make_speaker(email="snel@example.org")
    for i in range(3):
        make_proposal(congress, user, title=f"Bestaand {i}")
    workshop = services.formats(congress)[0]
    session = _login(server, user.email)
    token = _csrf(session.get(f"{server}/{congress.slug}/cfp/new", timeout=10).text)
    slug, track_id, format_id = congress.slug, congress.tracks[0].id, workshop.id  # no database in the threads

    def submit(i: int) -> int:
        return session.post(f"{server}/{slug}/cfp/new", data={
            "csrf_token": token, "title": f"Gelijktijdig {i}", "abstract": "Kort.", "description": "",
            "format_duration": f"{format_id}:60", "track_id": track_id, "language": "nl",
            "target_audience": "", "protective_factor": "sociale cohesie", "notes": "", "action": "submit",
        }, allow_redirects=False, timeout=30).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = list(pool.map(submit, range(8)))
    assert sorted(codes) == [302, 302] + [422] * 6, codes
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count(Proposal.id))) == 5


def test_simultaneous_uses_of_one_invitation_make_one_co_speaker(app, congress, server):
    open_call(congress)
    owner = make_speaker(email="eigenaar@example.org")
    proposal = make_proposal(congress, owner)
    with app.test_request_context():
        services.invite_co_speaker(proposal, owner, "mede@example.org", "nl")
    secret = "vaste-geheime-code-voor-de-test-0123456789"
    invitation = db.session.scalar(sa.select(CoSpeakerInvitation))
    invitation.token_hash = hash_secret(secret)
    db.session.commit()  # services refuse a session with changes made outside them
    make_speaker(email="mede@example.org", name="Mede")
    session = _login(server, "mede@example.org")
    token = _csrf(session.get(f"{server}/speaker/join/{secret}", timeout=10).text)

    def accept(_: int) -> int:
        return session.post(f"{server}/speaker/join/{secret}", data={"csrf_token": token}, allow_redirects=False,
                            timeout=30).status_code

    with ThreadPoolExecutor(max_workers=6) as pool:
        codes = list(pool.map(accept, range(6)))
    assert sorted(codes) == [302] + [409] * 5, codes
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count(ProposalSpeaker.id))) == 2
