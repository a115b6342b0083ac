"""Every capability's models, imported in one place for Alembic and ``flask shell``."""

from congress import capabilities

for _module in capabilities.modules("models"):
    globals().update({k: v for k, v in vars(_module).items() if not k.startswith("_") and isinstance(v, type)})
