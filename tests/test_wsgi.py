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
