"""`gunicorn wsgi:app` serves the production configuration."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.conftest import free_port

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_gunicorn_serves_production_config(app, tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "CONGRESS_ENV": "production",
        "SECRET_KEY": "x" * 48,
        "FORCE_HTTPS": "0",
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "CONGRESS_INSTANCE_DIR": str(tmp_path),
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}", "wsgi:app"],
        env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                response = requests.get(f"http://127.0.0.1:{port}/?lang=en", timeout=10)
                break
            except requests.RequestException:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
        assert response.status_code == 200
        cookie = response.headers.get("Set-Cookie", "")
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
        assert requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5).json() == {"status": "ok"}
        # Only the host of PUBLIC_BASE_URL is answered; a forged Host gets 400 and is not repeated.
        forged = requests.get(f"http://127.0.0.1:{port}/", headers={"Host": "evil.example"}, timeout=5)
        assert forged.status_code == 400 and "evil.example" not in forged.text
    finally:
        server.terminate()
        server.wait(timeout=15)


def test_production_without_secret_key_exits_with_one_line(tmp_path):
    env = {"PATH": os.environ["PATH"], "CONGRESS_ENV": "production", "CONGRESS_INSTANCE_DIR": str(tmp_path),
           "PUBLIC_BASE_URL": "https://congres.example.nl"}
    result = subprocess.run([sys.executable, "-c", "import wsgi"], env=env, cwd=ROOT, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.slow
@pytest.mark.parametrize("setting", ["no SECRET_KEY", "bad DATABASE_URL", "unreachable database"])
def test_gunicorn_stops_on_a_bad_configuration_instead_of_respawning_workers(tmp_path, setting):
    """A worker that can never boot halts the arbiter: gunicorn exits non-zero within seconds, with
    the one-line reason, after booting each worker once (it used to respawn them forever)."""
    port = free_port()
    env = {"PATH": os.environ["PATH"], "CONGRESS_ENV": "production", "CONGRESS_INSTANCE_DIR": str(tmp_path),
           "SECRET_KEY": "x" * 48, "FORCE_HTTPS": "0", "DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}",
           "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}"}
    expected = {"no SECRET_KEY": "SECRET_KEY", "bad DATABASE_URL": "DATABASE_URL",
                "unreachable database": "cannot connect"}[setting]
    if setting == "no SECRET_KEY":
        del env["SECRET_KEY"]
    elif setting == "bad DATABASE_URL":
        env["DATABASE_URL"] = "mysql://nobody@127.0.0.1/congres"
    else:
        env["DATABASE_URL"] = f"postgresql://nobody@127.0.0.1:{free_port()}/congres"  # nothing listens there
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}", "wsgi:app"],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=90,
    )
    elapsed = time.monotonic() - started
    assert result.returncode != 0
    assert elapsed < 60, elapsed  # a few seconds on an idle machine: one boot per worker
    assert result.stderr.count("Booting worker") <= 2, result.stderr
    assert "Congres configuration error: " in result.stderr and expected in result.stderr
    assert "Worker failed to boot" in result.stderr  # the arbiter halted (gunicorn's own words)
    # (When both workers fail in the same instant, gunicorn 27 itself prints a HaltServer traceback
    # while stopping; the application's own message stays one line.)
