"""The hostile-value corpus (issue 12 §2): NUL, lone surrogates, 100k-character strings, huge and negative
numbers, 1e308, nested arrays and objects, markup, RTL override, SQL, emoji and wrong types, posted to
every field of every form (the POST routes of ``app.url_map``, their fields read from the form each page
renders, else from the WTForms classes) and of every API body (the pydantic request models).

0 server errors, and nothing with a NUL or an unpaired surrogate is stored; a refused API request
stores nothing."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote_from_bytes

import pytest
import sqlalchemy as sa
from flask_wtf import FlaskForm

import congress
from congress import capabilities
from congress.accounts.models import ApiToken
from congress.checkin import services as checkin
from congress.checkin.api_schemas import CheckinQuery, CheckinRequest
from congress.checkin.models import CheckIn, ScanEvent, Station
from congress.core.models import Congress
from congress.extensions import db
from congress.programme.models import SignupRound
from congress.questions.models import Question
from congress.registration.api_schemas import RegistrationRequest
from congress.registration.models import Registration
from tests.api.conftest import own_contexts
from tests.factories import make_user
from tests.registration.factories import registered

# Form values as bytes: a lone surrogate cannot be encoded as UTF-8, so it is sent as its 3 bytes.
FORM_VALUES: list[bytes] = [
    b"a\x00b", b"x\xed\xb0\x80y", b"x" * 100_000, b"9" * 40, b"-1", b"1e308", b"<script>alert(1)</script>",
    "\u202egnp.exe".encode(), b"' OR 1=1--", "\U0001f469\u200d\U0001f467\U0001f389".encode(), b"",
    b"[[[[{\"a\": []}]]]]",
]
JSON_VALUES: list[str] = [
    '"\\u0000"', '"a\\u0000b"', '"\\ud800"', '"x\\udfffy"', json.dumps("x" * 100_000), str(2**63), str(-2**63),
    "-1", "0", "1e308", "-1e308", "1e23", '"<script>alert(1)</script>"', json.dumps("\u202egnp.exe"),
    json.dumps("' OR 1=1--"), json.dumps("👩‍👩‍👧🎉"), '""', "null", "true", "[]", "{}", '[{"a": [1, {}]}]',
    "[" * 100_000 + "]" * 100_000, '{"a": ' * 1000 + "1" + "}" * 1000,
]
SKIP = {"accounts.logout"}  # it would end the staff session the corpus runs in


class _FieldNames(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("input", "select", "textarea", "button"):
            name = dict(attrs).get("name")
            if name and name != "csrf_token":
                self.names.add(name)


def wtforms_field_names() -> set[str]:
    """Every field of every FlaskForm of every capability."""
    capabilities.modules("forms")  # imported, so that every form class exists
    names: set[str] = set()

    def walk(cls: type) -> None:
        for sub in cls.__subclasses__():
            for klass in sub.__mro__:
                names.update(k for k, v in vars(klass).items() if hasattr(v, "field_class") and k != "csrf_token")
            walk(sub)

    walk(FlaskForm)
    return names


def _url_values(rule, world) -> dict:
    values = {}
    for arg in rule.arguments:
        values[arg] = world.ids.get(arg, world.ids["default"])
    return values


@pytest.fixture
def staff_world(app, world):
    congress = db.session.scalar(sa.select(Congress).where(Congress.slug == world.slug))
    result = registered(congress, [world.session_ids[0]], name="Corpus Persoon", email="corpus@example.org",
                        confirmed=True)
    checkin.scan(checkin.Scan(code=world.codes[0], congress=congress))
    db.session.commit()
    first = lambda model: db.session.scalar(sa.select(model.id).order_by(model.id))  # noqa: E731
    world.ids = {
        "slug": congress.slug, "session_id": world.session_ids[0], "track_id": congress.tracks[0].id,
        "room_id": congress.rooms[0].id, "round_id": first(SignupRound), "question_id": first(Question),
        "registration_id": result.id, "station_id": first(Station), "checkin_id": first(CheckIn),
        "token_id": first(ApiToken), "secret": result.link, "token": "ongeldig-token", "item_id": 1,
        "file_id": 1, "number": 1, "proposal_id": 1, "default": 1,
    }
    _ = Registration
    world.admin = make_user("admin", email="corpus-admin@example.org", name="Corpus Admin")
    db.session.commit()
    return world


def _stored_forbidden_text() -> list[str]:
    """Text columns anywhere in the database that hold a NUL (PostgreSQL cannot hold one at all)."""
    found = []
    with db.engine.connect() as conn:
        if conn.dialect.name != "sqlite":
            return found
        for table in db.metadata.sorted_tables:
            for column in table.columns:
                if isinstance(column.type, sa.String | sa.Text) and not isinstance(column.type, sa.Enum):
                    hits = conn.execute(sa.select(sa.func.count()).select_from(table).where(
                        sa.func.instr(column, sa.func.char(0)) > 0)).scalar()
                    if hits:
                        found.append(f"{table.name}.{column.name}")
    return found


def test_every_form_field_survives_the_corpus(app, staff_world):
    world = staff_world
    fallback = wtforms_field_names()
    rules = [r for r in app.url_map.iter_rules()
             if "POST" in (r.methods or ()) and not r.rule.startswith("/api/") and r.endpoint not in SKIP]
    assert len(rules) > 40, "the POST routes were not found"
    staff = app.test_client(user=world.admin)
    anonymous = app.test_client()
    server_errors: list[str] = []
    fields_tried = 0
    for rule in rules:
        url = rule.build(_url_values(rule, world), append_unknown=False)[1]
        page = staff.get(url)
        names: set[str] = set()
        if page.status_code == 200 and page.mimetype == "text/html":
            parser = _FieldNames()
            parser.feed(page.get_data(as_text=True))
            names = parser.names
        names = names or fallback
        fields_tried += len(names)
        # Public forms are posted once as a visitor, once as staff; staff forms as staff.
        clients = [staff] if url.startswith("/manage") else [anonymous, staff]
        for value in FORM_VALUES:
            body = "&".join(f"{quote_from_bytes(n.encode())}={quote_from_bytes(value)}" for n in sorted(names))
            for client in clients:
                response = client.post(url, data=body, content_type="application/x-www-form-urlencoded")
                if response.status_code >= 500:
                    server_errors.append(f"{rule.endpoint} {value[:20]!r} → {response.status_code}")
    assert fields_tried > 100
    assert server_errors == [], "\n".join(server_errors)
    assert _stored_forbidden_text() == []


def _api_bodies(world) -> list[tuple[str, str, dict, dict]]:
    registration = {"name": "Corpus", "email": "corpus-api@example.org", "sector": "gemeente",
                    "consent_privacy": True, "confirmed": True}
    return [
        (f"/api/v1/congresses/{world.slug}/registrations", "registrations", registration,
         dict(RegistrationRequest.model_fields)),
        ("/api/v1/checkins", "checkin", {"code": world.codes[1]}, dict(CheckinRequest.model_fields)),
    ]


def test_every_api_field_survives_the_corpus(app, world, client, monkeypatch):
    monkeypatch.setitem(app.config, "REGISTRATION_API_RATE_LIMIT", "100000 per minute")
    server_errors: list[str] = []
    half_stored: list[str] = []
    tried = 0

    def counts() -> tuple[int, ...]:
        db.session.rollback()
        return tuple(db.session.scalar(sa.select(sa.func.count()).select_from(m))
                     for m in (Registration, CheckIn, ScanEvent))

    for url, scope, valid, fields in _api_bodies(world):
        headers = world.tokens[scope]
        for field in fields:
            for value in JSON_VALUES:
                others = {k: v for k, v in valid.items() if k != field}
                text = json.dumps(others)[:-1] + (", " if others else "") + f'"{field}": {value}}}'
                before = counts()
                with own_contexts():
                    response = client.post(url, data=text.encode(), content_type="application/json",
                                           headers=headers)
                tried += 1
                if response.status_code >= 500:
                    server_errors.append(f"{url} {field}={value[:20]} → {response.status_code}")
                elif response.status_code == 422:
                    if counts() != before:
                        half_stored.append(f"{url} {field}={value[:20]}")
                    assert re.fullmatch(r"[a-z_]+|body", next(iter(response.get_json()["error"]["fields"])))
    assert tried > 300
    assert server_errors == [] and half_stored == []
    assert _stored_forbidden_text() == []


QUERY_VALUES: list[bytes] = [b"a\x00b", b"x\xed\xa0\x80", b"9" * 25, str(2**63).encode(), b"-5", b"0", b"1e308",
                             b"<script>", b"x" * 10_000]


def query_names() -> set[str]:
    """Every query-string parameter the code reads (``args.get("…")``, ``args.getlist("…")``)."""
    pattern = re.compile(r"""args\.(?:get|getlist)\(\s*["']([a-z_]+)["']""")
    names: set[str] = set()
    for path in Path(congress.__file__).parent.rglob("*.py"):
        names.update(pattern.findall(path.read_text(encoding="utf-8")))

    return names | set(CheckinQuery.model_fields)  # the query models of the API


def test_every_query_parameter_of_every_page_survives_the_corpus(app, staff_world):
    world = staff_world
    names = query_names()
    assert {"page", "since", "q"} <= names
    rules = [r for r in app.url_map.iter_rules() if "GET" in (r.methods or ()) and r.endpoint != "static"
             and not r.endpoint.endswith(".static") and r.endpoint not in SKIP]
    staff = app.test_client(user=world.admin)
    server_errors = []
    for rule in rules:
        url = rule.build(_url_values(rule, world), append_unknown=False)[1]
        for value in QUERY_VALUES:
            query = "&".join(f"{n}={quote_from_bytes(value)}" for n in sorted(names))
            response = staff.get(f"{url}?{query}")
            if response.status_code >= 500:
                server_errors.append(f"{rule.endpoint} {value[:20]!r} → {response.status_code}")
    assert server_errors == [], "\n".join(server_errors)
