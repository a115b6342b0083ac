"""Imports every capability's background tasks, for the worker."""

from congress.mail import tasks as mail_tasks  # noqa: F401
