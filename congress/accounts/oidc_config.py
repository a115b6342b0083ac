"""The single sign-on settings (``OIDC_*`` in ``config.py``; docs/single-sign-on.md): read from the
application's configuration, each checked, so that a setting that cannot work stops the start with one
line (:func:`check_configuration`) instead of failing at someone's sign-in."""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping as MappingType
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from flask import current_app

from congress.accounts.models import Role
from congress.sanitize import has_forbidden_characters

MFA_NEVER, MFA_ALWAYS, MFA_AMR = "false", "true", "amr"
_MFA_VALUES = {"false": MFA_NEVER, "0": MFA_NEVER, "no": MFA_NEVER, "off": MFA_NEVER,
               "true": MFA_ALWAYS, "1": MFA_ALWAYS, "yes": MFA_ALWAYS, "on": MFA_ALWAYS, "amr": MFA_AMR}
# The roles a group may give: every role but speaker (speakers have accounts of the call for proposals).
MAPPABLE_ROLES = tuple(role.value for role in Role if role != Role.SPEAKER)


# --- configuration ---------------------------------------------------------------------------------


class ConfigurationProblem(ValueError):
    """A single sign-on setting that cannot work; the message names it (shown at start, one line)."""


@dataclass(frozen=True)
class Mapping:
    """What one group gives: a role, for one edition (its slug) or every edition, and for a track manager
    one track of that edition (by its Dutch or English name)."""

    role: str
    edition: str | None = None
    track: str | None = None


@dataclass(frozen=True)
class Settings:
    issuer: str
    client_id: str
    client_secret: str
    provider_name: str
    roles_claim: str
    role_map: dict[str, tuple[Mapping, ...]] = field(hash=False)
    satisfies_mfa: str = MFA_NEVER
    scopes: str = "openid email profile"
    leeway: int = 60
    timeout: float = 10.0


def parse_role_map(text: str) -> dict[str, tuple[Mapping, ...]]:
    """``OIDC_ROLE_MAP``: a JSON object from a group to what it gives, one mapping or a list of them:
    ``{"congres-organisatie": {"role": "organiser"}, "spoor-digitaal": {"role": "track_manager",
    "edition": "congres-2026", "track": "Digitale weerbaarheid"}}``. Raises ConfigurationProblem."""
    if not text or not text.strip():
        raise ConfigurationProblem("OIDC_ROLE_MAP is empty: say which group gives which role, e.g. "
                                   '{"congres-organisatie": {"role": "organiser"}} (docs/single-sign-on.md).')
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ConfigurationProblem(f"OIDC_ROLE_MAP is not valid JSON ({exc}).") from None
    if not isinstance(data, dict) or not data:
        raise ConfigurationProblem("OIDC_ROLE_MAP must be a JSON object from a group to a role, "
                                   'e.g. {"congres-organisatie": {"role": "organiser"}}.')
    result: dict[str, tuple[Mapping, ...]] = {}
    for group, value in data.items():
        items = value if isinstance(value, list) else [value]
        if not group or not items:
            raise ConfigurationProblem(f"OIDC_ROLE_MAP: the group '{group}' gives nothing.")
        result[group] = tuple(_mapping(group, item) for item in items)
    return result


def _mapping(group: str, item: Any) -> Mapping:
    where = f"OIDC_ROLE_MAP, group '{group}'"
    if isinstance(item, str):
        item = {"role": item}
    if not isinstance(item, dict):
        raise ConfigurationProblem(f"{where}: expected an object such as {{\"role\": \"organiser\"}}.")
    unknown = set(item) - {"role", "edition", "track"}
    if unknown:
        raise ConfigurationProblem(f"{where}: unknown key(s) {', '.join(sorted(unknown))} "
                                   "(known: role, edition, track).")
    role = item.get("role")
    if role not in MAPPABLE_ROLES:
        raise ConfigurationProblem(f"{where}: role '{role}' is not one of {', '.join(MAPPABLE_ROLES)}.")
    edition, track = item.get("edition"), item.get("track")
    for name, value in (("edition", edition), ("track", track)):
        if value is not None and (not isinstance(value, str) or not value.strip() or len(value) > 200
                                  or has_forbidden_characters(value)):
            raise ConfigurationProblem(f"{where}: '{name}' must be a short text.")
    if role == Role.ADMIN.value and (edition or track):
        raise ConfigurationProblem(f"{where}: an administrator holds every edition; leave out edition and track.")
    if track and role != Role.TRACK_MANAGER.value:
        raise ConfigurationProblem(f"{where}: only a track_manager has a track.")
    if role == Role.TRACK_MANAGER.value and not (edition and track):
        raise ConfigurationProblem(f"{where}: a track_manager needs an edition (its slug) and a track (its name).")
    return Mapping(role=role, edition=edition.strip() if edition else None, track=track.strip() if track else None)


@functools.lru_cache(maxsize=16)
def _parse(issuer: str, client_id: str, client_secret: str, provider_name: str, roles_claim: str, role_map: str,
           satisfies_mfa: str, scopes: str, leeway: int, timeout: float) -> Settings | None:
    issuer = issuer.strip().rstrip("/")
    if not issuer:
        return None
    parts = urlsplit(issuer)
    if parts.scheme not in ("https", "http") or not parts.hostname or parts.query or parts.fragment:
        raise ConfigurationProblem(f"OIDC_ISSUER '{issuer}' is not an https address, "
                                   "e.g. https://login.minbzk.nl/realms/rijk.")
    if not client_id.strip():
        raise ConfigurationProblem("OIDC_CLIENT_ID is missing: this installation's client id at the provider.")
    if not client_secret:
        raise ConfigurationProblem("OIDC_CLIENT_SECRET is missing: this installation's client secret at the provider.")
    mfa = _MFA_VALUES.get(str(satisfies_mfa).strip().lower())
    if mfa is None:
        raise ConfigurationProblem(f"OIDC_SATISFIES_MFA '{satisfies_mfa}' is not one of false, true, amr.")
    if not roles_claim.strip():
        raise ConfigurationProblem("OIDC_ROLES_CLAIM is empty: the claim with the groups, e.g. groups.")
    scope_list = scopes.split()
    if "openid" not in scope_list:
        raise ConfigurationProblem("OIDC_SCOPES must include openid.")
    return Settings(issuer=issuer, client_id=client_id.strip(), client_secret=client_secret,
                    provider_name=provider_name.strip() or parts.hostname, roles_claim=roles_claim.strip(),
                    role_map=parse_role_map(role_map), satisfies_mfa=mfa, scopes=" ".join(scope_list),
                    leeway=leeway, timeout=timeout)


def settings_from(config: MappingType[str, Any]) -> Settings | None:
    """The single sign-on settings of ``config``; None when ``OIDC_ISSUER`` is empty (switched off)."""
    try:
        leeway = int(config.get("OIDC_LEEWAY_SECONDS", 60))
        timeout = float(config.get("OIDC_TIMEOUT_SECONDS", 10))
    except (TypeError, ValueError):
        raise ConfigurationProblem("OIDC_LEEWAY_SECONDS and OIDC_TIMEOUT_SECONDS must be numbers.") from None
    return _parse(str(config.get("OIDC_ISSUER") or ""), str(config.get("OIDC_CLIENT_ID") or ""),
                  str(config.get("OIDC_CLIENT_SECRET") or ""), str(config.get("OIDC_PROVIDER_NAME") or ""),
                  str(config.get("OIDC_ROLES_CLAIM") or ""), str(config.get("OIDC_ROLE_MAP") or ""),
                  str(config.get("OIDC_SATISFIES_MFA") or "false"),
                  str(config.get("OIDC_SCOPES") or "openid email profile"), leeway, timeout)


def check_configuration(config: MappingType[str, Any]) -> None:
    """At start: refuses (ConfigurationProblem) settings that cannot work, and switching the password
    off without a provider to sign in with (nobody on the staff could sign in)."""
    found = settings_from(config)
    if found is None and not config.get("LOCAL_LOGIN_ENABLED", True):
        raise ConfigurationProblem("LOCAL_LOGIN_ENABLED is false but no OpenID provider is configured "
                                   "(OIDC_ISSUER): the staff could not sign in at all.")


def settings() -> Settings | None:
    return settings_from(current_app.config)


def enabled() -> bool:
    return settings() is not None


def provider_name() -> str:
    found = settings()
    return found.provider_name if found is not None else ""
