"""Prometheus metrics at ``/metrics`` (prometheus_client), for an operator's monitoring.

* Per request: ``congress_http_requests_total{endpoint, method, status}`` and
  ``congress_http_request_duration_seconds{endpoint, method}`` (a histogram), labelled by the Flask
  endpoint — never by the path, which would put secrets of personal links into the labels.
* At each scrape, read from the database and the queue: ``congress_queue_depth``,
  ``congress_mails{status}``, ``congress_registrations{congress, status}`` and
  ``congress_checkins{congress}`` (door and room check-ins not undone).

Under gunicorn with several workers set ``PROMETHEUS_MULTIPROC_DIR`` (an empty directory, the same for
all workers, emptied at each start): the request metrics of every worker are then added up at a scrape.
Who may read: an API token of scope ``read`` (every scope grants it) as ``Authorization: Bearer …``, or
any client from the networks in ``METRICS_ALLOW_NETWORKS`` (CIDR, comma-separated; default none); others
get 403, an unknown token 401.
"""

from __future__ import annotations

import ipaddress
import os
import time
from collections.abc import Iterator

import sqlalchemy as sa
from flask import Flask, Response, abort, current_app, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

from congress.accounts.access import bearer_secret
from congress.accounts.services import api_token_for
from congress.checkin.models import CheckIn
from congress.core.models import Congress
from congress.extensions import db, huey
from congress.mail.models import OutboxMessage
from congress.registration.models import Registration

REQUESTS = Counter("congress_http_requests", "Requests answered, by endpoint, method and status.",
                   ["endpoint", "method", "status"])
LATENCY = Histogram("congress_http_request_duration_seconds", "Time to answer a request, by endpoint and method.",
                    ["endpoint", "method"],
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0))


class DatabaseCollector:
    """What the database and the queue hold now, read at each scrape (nothing cached between scrapes)."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        queue = GaugeMetricFamily("congress_queue_depth", "Jobs waiting in the queue.")
        queue.add_metric([], float(huey.storage.queue_size()))
        yield queue
        mails = GaugeMetricFamily("congress_mails", "Outgoing mails by status.", labels=["status"])
        for status, count in db.session.execute(
                sa.select(OutboxMessage.status, sa.func.count()).group_by(OutboxMessage.status)):
            mails.add_metric([status], count)
        yield mails
        registrations = GaugeMetricFamily("congress_registrations", "Registrations by edition and status.",
                                          labels=["congress", "status"])
        for slug, status, count in db.session.execute(
                sa.select(Congress.slug, Registration.status, sa.func.count()).select_from(Registration)
                .join(Congress, Congress.id == Registration.congress_id)
                .group_by(Congress.slug, Registration.status)):
            registrations.add_metric([slug, status], count)
        yield registrations
        checkins = GaugeMetricFamily("congress_checkins", "Check-ins (door and rooms) not undone, by edition.",
                                     labels=["congress"])
        for slug, count in db.session.execute(
                sa.select(Congress.slug, sa.func.count()).select_from(CheckIn)
                .join(Congress, Congress.id == CheckIn.congress_id)
                .where(CheckIn.undone_at.is_(None)).group_by(Congress.slug)):
            checkins.add_metric([slug], count)
        yield checkins


def allowed_networks(value: str | None) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """``METRICS_ALLOW_NETWORKS`` parsed, or a ValueError naming the entry that is not a network."""
    networks = []
    for part in (value or "").split(","):
        if part.strip():
            try:
                networks.append(ipaddress.ip_network(part.strip(), strict=False))
            except ValueError as exc:
                raise ValueError(f"METRICS_ALLOW_NETWORKS: '{part.strip()}' is not a network "
                                         "(for example 10.0.0.0/8 or 127.0.0.1/32).") from exc
    return networks


def _may_read() -> None:
    address = request.remote_addr or ""
    try:
        client = ipaddress.ip_address(address)
    except ValueError:
        client = None
    if client is not None and any(client in net for net in current_app.config["METRICS_NETWORKS"]):
        return
    secret = bearer_secret()
    if secret:
        if api_token_for(secret, "read") is None:
            abort(401)
        return
    abort(403)


def _registry() -> CollectorRegistry:
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)  # every worker's request metrics, added up
    else:
        registry.register(REQUESTS)
        registry.register(LATENCY)
    registry.register(DatabaseCollector())
    return registry


def init_app(app: Flask) -> None:
    app.config["METRICS_NETWORKS"] = allowed_networks(app.config.get("METRICS_ALLOW_NETWORKS"))

    @app.before_request
    def started() -> None:
        g.metrics_started = time.perf_counter()

    @app.after_request
    def measured(response: Response) -> Response:
        begun = g.pop("metrics_started", None)
        endpoint = request.endpoint or "unmatched"  # a 404 has no endpoint: one label for all of them
        if begun is not None:
            LATENCY.labels(endpoint, request.method).observe(time.perf_counter() - begun)
        REQUESTS.labels(endpoint, request.method, str(response.status_code)).inc()
        return response

    @app.route("/metrics")
    def metrics() -> Response:
        _may_read()
        response = Response(generate_latest(_registry()), content_type=CONTENT_TYPE_LATEST)
        response.headers["Cache-Control"] = "no-store"
        return response
