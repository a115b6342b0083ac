"""What other capabilities may read from accounts (the read face; commands are in ``services``)."""

from __future__ import annotations

import sqlalchemy as sa

from congress.accounts.models import ApiToken
from congress.accounts.services import api_token_for, check_account_token, find_user
from congress.extensions import db

__all__ = ["api_token_for", "api_tokens", "check_account_token", "find_user"]


def api_tokens() -> list[ApiToken]:
    """Every API token, newest first (revoked ones too: the list shows when they were revoked)."""
    return list(db.session.scalars(sa.select(ApiToken).order_by(ApiToken.id.desc())))
