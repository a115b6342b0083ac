"""Imports every capability's background tasks, for the worker."""

from congress import capabilities

TASK_MODULES = capabilities.modules("tasks")
