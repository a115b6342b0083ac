"""/metrics: Prometheus's text format with request counts and latencies per endpoint and what the
database and the queue hold, for a `read` token or the allowed networks only."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from congress import ConfigurationError, create_app
from congress.accounts.services import create_api_token
from congress.checkin import services as checkin
from congress.checkin.services import Scan
from congress.extensions import db
from tests.checkin.factories import checkin_edition
from tests.mail.test_outbox import failed_message
from tests.support import start_gunicorn


def _samples(response) -> dict[tuple[str, tuple], float]:
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "text/plain" and "version=" in response.headers["Content-Type"]
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(response.get_data(as_text=True)) for s in family.samples}


def _token(scope: str = "read") -> str:
    secret = create_api_token(f"monitoring-{scope}", scope).secret
    db.session.commit()
    return secret


def test_nobody_reads_without_a_token_or_an_allowed_network(client):
    assert client.get("/metrics").status_code == 403
    assert client.get("/metrics", headers={"Authorization": "Bearer not-a-token"}).status_code == 401


def test_a_token_of_any_scope_reads_the_figures_the_database_holds(app, client):
    congress, _sessions, people, codes = checkin_edition("metrics-congres", people=3)
    checkin.scan(Scan(code=codes[0], list="venue", congress=congress, admit=True))
    failed_message("weg@example.org", congress_id=congress.id)
    db.session.commit()
    client.get(f"/{congress.slug}/")
    client.get("/nergens/te/vinden/hier/niet")  # matches no route
    samples = _samples(client.get("/metrics", headers={"Authorization": f"Bearer {_token('checkin')}"}))

    assert samples[("congress_registrations", (("congress", congress.slug), ("status", "confirmed")))] == len(people)
    assert samples[("congress_checkins", (("congress", congress.slug),))] == 1
    assert samples[("congress_mails", (("status", "failed"),))] >= 1
    assert ("congress_queue_depth", ()) in samples
    edition = ("congress_http_requests_total", (("endpoint", "public.edition"), ("method", "GET"), ("status", "200")))
    assert samples[edition] >= 1
    unmatched = ("congress_http_requests_total", (("endpoint", "unmatched"), ("method", "GET"), ("status", "404")))
    assert samples[unmatched] >= 1
    latency = ("congress_http_request_duration_seconds_count", (("endpoint", "public.edition"), ("method", "GET")))
    assert samples[latency] >= 1
    # Labelled by endpoint, never by path: no personal link's secret can reach a label.
    assert not any("/" in value for _name, labels in samples for _key, value in labels)


def test_an_allowed_network_reads_without_a_token(app, client, monkeypatch):
    from congress import metrics  # noqa: PLC0415

    monkeypatch.setitem(app.config, "METRICS_NETWORKS", metrics.allowed_networks("10.0.0.0/8, 127.0.0.1/32"))
    assert client.get("/metrics").status_code == 200  # the test client comes from 127.0.0.1
    monkeypatch.setitem(app.config, "METRICS_NETWORKS", metrics.allowed_networks("10.0.0.0/8"))
    assert client.get("/metrics").status_code == 403


def test_a_network_that_is_not_one_stops_the_start(app, restore_extensions):
    with pytest.raises(ConfigurationError, match="METRICS_ALLOW_NETWORKS: 'intranet'"):
        create_app({**app.config, "METRICS_ALLOW_NETWORKS": "10.0.0.0/8,intranet"})


def test_under_gunicorn_the_workers_counts_are_added_up(app, tmp_path):
    """Two worker processes with PROMETHEUS_MULTIPROC_DIR: a scrape, answered by either, counts both."""
    shared = tmp_path / "prometheus"
    shared.mkdir()
    server = start_gunicorn(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path / "instance", workers=2,
                            extra_env={"PROMETHEUS_MULTIPROC_DIR": str(shared),
                                       "METRICS_ALLOW_NETWORKS": "127.0.0.1/32"})
    try:
        sent = 0
        with ThreadPoolExecutor(8) as pool:  # at once, so that both workers answer some
            while sent < 400 and len({p.name.split("_")[-1] for p in shared.glob("counter_*.db")}) < 2:
                answers = list(pool.map(lambda _: requests.get(f"{server.base_url}/healthz", timeout=10), range(40)))
                assert all(a.status_code == 200 for a in answers)
                sent += len(answers)
        for _ in range(6):  # whichever worker answers, the total is the same
            response = requests.get(f"{server.base_url}/metrics", timeout=10)
            assert response.status_code == 200
            samples = {(s.name, tuple(sorted(s.labels.items()))): s.value
                       for family in text_string_to_metric_families(response.text) for s in family.samples}
            healthz = samples[("congress_http_requests_total",
                               (("endpoint", "public.healthz"), ("method", "GET"), ("status", "200")))]
            assert healthz >= sent  # every worker's share (gunicorn's own start-up probes come on top)
        assert len({p.name.split("_")[-1] for p in shared.glob("counter_*.db")}) == 2  # both wrote a share
    finally:
        server.stop()
