"""WSGI entry point: ``gunicorn wsgi:app`` and ``flask --app wsgi …``.

A configuration error (a missing ``SECRET_KEY`` in production, an unusable ``DATABASE_URL``) is
printed as one line and the process exits with status 3. Under gunicorn that is the status of a
worker that failed to boot (``Arbiter.WORKER_BOOT_ERROR``), which halts the arbiter: the service
stops with a non-zero status instead of respawning workers that can never start. (Any other exit
status, such as the 1 of a plain ``SystemExit`` message, makes gunicorn start the worker again,
forever.)
"""

import sys

from congress import ConfigurationError, create_app

CONFIGURATION_ERROR_EXIT = 3  # gunicorn.arbiter.Arbiter.WORKER_BOOT_ERROR

try:
    app = create_app()
except ConfigurationError as exc:
    print(exc.code, file=sys.stderr, flush=True)
    raise SystemExit(CONFIGURATION_ERROR_EXIT) from None
