"""The deployment files in deploy/ (systemd units, Containerfile, compose file, nginx) are used, not
decoration: the units pass ``systemd-analyze verify`` and their commands really start and stop as
the units declare (gunicorn's ready notification, SIGTERM within TimeoutStopSec); the image installs
what the runtime script installs; every setting the compose file passes is one the app reads; nginx
sends to the instances the compose file starts, on the port the image listens on.

No container engine runs on the development machine (docs/deploy.md, "Containers"), so the image
and the compose file are checked for what can drift, not built."""

from __future__ import annotations

import grp
import os
import pwd
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from configparser import ConfigParser
from pathlib import Path

import pytest
import requests
import yaml

from tests.support.gunicorn import free_port

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
UNITS = sorted((DEPLOY / "systemd").glob("*.service"))
VENV_BIN = Path(sys.executable).parent


def unit(path: Path) -> ConfigParser:
    parser = ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # systemd keys are case-sensitive
    parser.read(path)
    return parser


def local_unit(path: Path, folder: Path) -> Path:
    """The unit with this checkout, its virtualenv and a throw-away environment file for /srv/congres."""
    env_file = folder / "congres.env"
    env_file.write_text("CONGRESS_ENV=production\n")
    text = path.read_text()
    text = text.replace("/srv/congres/.venv/bin/", f"{VENV_BIN}/").replace("/srv/congres", str(ROOT))
    text = text.replace("/etc/congres/congres.env", str(env_file))
    text = re.sub(r"^User=.*$", f"User={pwd.getpwuid(os.getuid()).pw_name}", text, flags=re.MULTILINE)
    text = re.sub(r"^Group=.*$", f"Group={grp.getgrgid(os.getgid()).gr_name}", text, flags=re.MULTILINE)
    target = folder / path.name
    target.write_text(text)
    return target


def production_env(folder: Path, port: int) -> dict[str, str]:
    folder.mkdir(parents=True, exist_ok=True)
    env = {key: value for key, value in os.environ.items() if key != "TEST_DATABASE_URL"}
    env.update({
        "CONGRESS_ENV": "production",
        "SECRET_KEY": "deploy-test-secret-0123456789abcdef0123456789abcdef",
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "DATABASE_URL": f"sqlite:///{folder / 'congress.db'}",
        "CONGRESS_INSTANCE_DIR": str(folder),
        "HUEY_SQLITE_PATH": str(folder / "huey.db"),
        "FORCE_HTTPS": "0",
        "SESSION_COOKIE_SECURE": "0",
        "PYTHONDONTWRITEBYTECODE": "1",
    })
    return env


def exec_start(path: Path, port: int | None = None) -> list[str]:
    words = shlex.split(unit(path)["Service"]["ExecStart"])
    words[0] = str(VENV_BIN / Path(words[0]).name)
    if port is not None:
        words = [f"127.0.0.1:{port}" if w.startswith("127.0.0.1:") else w for w in words]
    return words


def seconds(value: str) -> float:
    return float(value.rstrip("s"))


def test_there_is_a_unit_for_the_web_application_and_one_for_the_worker():
    assert [p.name for p in UNITS] == ["congres-web.service", "congres-worker.service"]


@pytest.mark.parametrize("path", UNITS, ids=lambda p: p.name)
def test_the_unit_passes_systemd_analyze_verify(path, tmp_path):
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed on this machine (Debian package systemd)")
    result = subprocess.run(["systemd-analyze", "verify", str(local_unit(path, tmp_path))],
                            capture_output=True, text=True, timeout=60)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "Unknown key" not in output and "Unknown section" not in output, output


def wait_until_healthy(port: int, log: Path, timeout: float = 180) -> None:
    """The workers import the app at their first request: slow on a busy 2-core machine."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=30).status_code == 200:
                return
        except requests.RequestException:
            pass
        assert time.monotonic() < deadline, log.read_text()[-2000:]
        time.sleep(0.2)


def test_the_web_unit_notifies_systemd_when_ready_reloads_on_hup_and_stops_on_sigterm(tmp_path):
    """Type=notify: gunicorn sends READY=1 to $NOTIFY_SOCKET once its workers boot; ExecReload's HUP
    restarts the workers without dropping the service; SIGTERM stops it within TimeoutStopSec."""
    service = unit(DEPLOY / "systemd" / "congres-web.service")["Service"]
    assert service["Type"] == "notify"
    port = free_port()
    env = production_env(tmp_path / "instance", port)
    subprocess.run([str(VENV_BIN / "flask"), "--app", "wsgi", "db", "upgrade"], cwd=ROOT, env=env, check=True,
                   capture_output=True, timeout=300)
    notify_path = tmp_path / "notify.sock"
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    listener.bind(str(notify_path))
    listener.settimeout(90)
    env["NOTIFY_SOCKET"] = str(notify_path)
    log = (tmp_path / "web.log").open("wb")
    process = subprocess.Popen(exec_start(DEPLOY / "systemd" / "congres-web.service", port), cwd=ROOT, env=env,
                               stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        message = listener.recv(4096).decode()
        assert "READY=1" in message
        wait_until_healthy(port, tmp_path / "web.log")
        assert service["ExecReload"] == "/bin/kill -s HUP $MAINPID"
        process.send_signal(signal.SIGHUP)
        command = exec_start(DEPLOY / "systemd" / "congres-web.service")
        workers = int(command[command.index("--workers") + 1])
        log_text = (tmp_path / "web.log").read_text
        deadline = time.monotonic() + 180
        while log_text().count("Worker exiting") < workers:  # the old workers are replaced
            assert time.monotonic() < deadline, log_text()[-2000:]
            time.sleep(0.2)
        wait_until_healthy(port, tmp_path / "web.log")
        assert process.poll() is None
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=seconds(service["TimeoutStopSec"])) == 0
    finally:
        listener.close()
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def test_the_worker_unit_starts_its_processes_and_stops_on_sigterm_within_its_timeout(tmp_path):
    service = unit(DEPLOY / "systemd" / "congres-worker.service")["Service"]
    assert service.get("KillSignal", "SIGTERM") == "SIGTERM"
    env = production_env(tmp_path / "instance", free_port())
    subprocess.run([str(VENV_BIN / "flask"), "--app", "wsgi", "db", "upgrade"], cwd=ROOT, env=env, check=True,
                   capture_output=True, timeout=300)
    log_path = tmp_path / "worker.log"
    command = exec_start(DEPLOY / "systemd" / "congres-worker.service")
    processes = int(command[command.index("--processes") + 1])
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log_path.open("wb"), stderr=subprocess.STDOUT,
                               start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        while log_path.read_text().count("started (pid") < processes:
            assert process.poll() is None, log_path.read_text()[-2000:]
            assert time.monotonic() < deadline, log_path.read_text()[-2000:]
            time.sleep(0.2)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=seconds(service["TimeoutStopSec"])) == 0, log_path.read_text()[-2000:]
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


# -- the container image and the compose file --------------------------------------------------------

def containerfile() -> str:
    return (DEPLOY / "Containerfile").read_text()


def test_the_image_installs_the_runtime_packages_of_the_install_script():
    script = (ROOT / "scripts" / "install_system_deps.sh").read_text()
    runtime = set(re.search(r"^runtime=\(([^)]*)\)", script, re.MULTILINE).group(1).split())
    install = re.search(r"apt-get install -y --no-install-recommends (.*?)&&", containerfile(), re.DOTALL).group(1)
    packages = set(install.replace("\\", " ").split())
    assert runtime <= packages, runtime - packages


def test_what_the_image_copies_exists_and_is_not_ignored():
    ignored = [line.strip() for line in (ROOT / ".containerignore").read_text().splitlines() if line.strip()]
    assert (ROOT / ".dockerignore").read_text() == (ROOT / ".containerignore").read_text()
    for needed in (".venv", "node_modules", "instance", ".git"):
        assert needed in ignored, f"{needed} would go into the build context"
    for line in containerfile().splitlines():
        if line.startswith("COPY ") and "--from=" not in line:
            *sources, _target = line.split()[1:]
            for source in sources:
                assert (ROOT / source).exists(), source
                assert source not in ignored, source


def test_the_image_runs_the_same_application_and_migrations_as_the_units():
    text = containerfile()
    cmd = re.search(r"^CMD (\[.*?\])$", text, re.MULTILINE | re.DOTALL).group(1)
    words = yaml.safe_load(cmd.replace("\\\n", " "))
    assert words[0] == "gunicorn" and words[-1] == "wsgi:app"
    assert "0.0.0.0:8000" in words
    assert "USER congres" in text and "CONGRESS_ENV=production" in text


def compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def settings_the_app_reads() -> set[str]:
    names = set(re.findall(r'"([A-Z][A-Z0-9_]{2,})"', (ROOT / "config.py").read_text()))
    for path in (ROOT / "congress").rglob("*.py"):
        names |= set(re.findall(r'environ(?:\.get)?\(\s*"([A-Z][A-Z0-9_]{2,})"', path.read_text()))
    return names


def test_the_compose_file_runs_what_the_platform_team_needs():
    services = compose()["services"]
    for name in ("postgres", "redis", "storage", "app1", "app2", "worker", "nginx", "migrate"):
        assert name in services, name
    apps = [name for name, s in services.items() if s.get("image") == "localhost/congres:latest"]
    assert sorted(apps) == ["app1", "app2", "migrate", "worker"]
    assert services["migrate"]["command"] == ["flask", "--app", "wsgi", "db", "upgrade"]
    for name in ("app1", "app2", "worker"):
        assert services[name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}


def test_every_setting_the_compose_file_passes_is_read_by_the_app():
    environment = compose()["x-congres"]["environment"]
    known = settings_the_app_reads()
    # AWS_*: read by boto3 itself (endpoint, credentials, region) for STORAGE_URL=s3://…
    unknown = sorted(key for key in environment if key not in known and not key.startswith("AWS_"))
    assert unknown == []


def test_the_worker_runs_the_same_command_in_compose_and_under_systemd():
    under_systemd = exec_start(DEPLOY / "systemd" / "congres-worker.service")[1:]
    assert compose()["services"]["worker"]["command"][1:] == under_systemd


def test_nginx_sends_to_the_app_instances_on_the_port_the_image_listens_on():
    conf = (DEPLOY / "nginx.conf").read_text()
    upstream = re.findall(r"^\s*server (\S+):(\d+)", conf, re.MULTILINE)
    assert sorted(host for host, _ in upstream) == ["app1", "app2"]
    assert {port for _, port in upstream} == {"8000"}
    listen = re.search(r"listen (\d+);", conf).group(1)
    assert compose()["services"]["nginx"]["ports"] == [f"127.0.0.1:{listen}:{listen}"]
    # The request id nginx makes is one the app keeps (a plain token up to 64 characters).
    assert "X-Request-ID $request_id" in conf
