"""Who may scan: a station device (its own token) or a scanner with an API token of scope checkin."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import abort, g, jsonify

from congress.accounts.access import bearer_secret
from congress.accounts.models import TokenScope
from congress.accounts.services import api_token_for
from congress.checkin.services import station_for


def checkin_auth(view: Callable[..., Any]) -> Callable[..., Any]:
    """Sets ``g.station`` (a station token) or ``g.api_token`` (scope checkin); else 401/403."""

    @functools.wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        secret = bearer_secret()
        if not secret:
            abort(401)
        g.station = None
        g.api_token = None
        # Station tokens start with "stn_", API tokens with "cgr_": one lookup, not two, per scan.
        station = station_for(secret) if not secret.startswith("cgr_") else None
        if station is not None:
            if not station.is_active():
                response = jsonify({"error": {"code": 401, "title": "station_revoked",
                                              "message": "This station has been revoked or has expired."}})
                return response, 401
            g.station = station  # its last_seen_at is written with what it came for
            return view(*args, **kwargs)
        token = api_token_for(secret, TokenScope.CHECKIN.value)
        if token is None:
            abort(401 if api_token_for(secret, TokenScope.READ.value) is None else 403)
        g.api_token = token
        return view(*args, **kwargs)

    guarded.required_scope = TokenScope.CHECKIN.value  # type: ignore[attr-defined]
    return guarded
