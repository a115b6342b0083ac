"""WSGI entry point: ``gunicorn wsgi:app`` and ``flask --app wsgi …``."""

from congress import create_app

app = create_app()
