"""A number no id column can hold, in any route's ``<int:…>``, is a 404 — never the database driver's
overflow as a 500 (SQLite's and PostgreSQL's integers end at 2**63 - 1 and 2**31 - 1)."""

from __future__ import annotations

import re

import pytest
from werkzeug.routing import IntegerConverter

from congress.sanitize import MAX_ID, BoundedInteger
from tests.factories import make_congress, make_user

HUGE = (MAX_ID + 1, 2**63, 10**30)
ARGUMENT = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


def _int_rules(app):
    return [rule for rule in app.url_map.iter_rules()
            if any(isinstance(conv, IntegerConverter) for conv in rule._converters.values())]


def test_every_int_in_every_route_is_bounded(app):
    assert len(_int_rules(app)) > 40  # the bound is in the converter, so every route with an id has it
    for rule in app.url_map.iter_rules():
        for name, converter in rule._converters.items():
            if isinstance(converter, IntegerConverter):
                assert isinstance(converter, BoundedInteger), f"{rule.rule}: <int:{name}> is not bounded"
                assert converter.max == MAX_ID, f"{rule.rule}: <int:{name}> is not bounded"


@pytest.mark.parametrize("huge", HUGE)
def test_huge_ids_are_never_a_server_error_for_an_admin(app, huge):
    congress = make_congress("reuze-getallen")
    client = app.test_client(user=make_user("admin", email="reus@example.org"))
    failures = []
    for rule in _int_rules(app):
        # By hand: url_for would refuse the value the converter does not accept.
        path = ARGUMENT.sub(lambda m: str(huge) if m.group(1) == "int" else congress.slug, rule.rule)
        methods = rule.methods - {"HEAD", "OPTIONS"}
        method = "GET" if "GET" in methods else sorted(methods)[0]
        response = client.open(path, method=method)
        if response.status_code >= 500:
            failures.append((path, method, response.status_code))
    assert failures == []
