"""What tests and benchmarks share for runs against a real server: gunicorn with worker processes
on a free loopback port (:mod:`tests.support.gunicorn`) and the load clients that drive it
(:mod:`tests.support.load`). The benchmarks under bench/ import them from here."""

from tests.support.gunicorn import GUNICORN, ROOT, Server, free_port, start_gunicorn
from tests.support.load import Outcome, fire, post_json_concurrently

__all__ = ["GUNICORN", "ROOT", "Outcome", "Server", "fire", "free_port", "post_json_concurrently", "start_gunicorn"]
