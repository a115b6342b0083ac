"""questions_0001 merges registration_questions and cfp_questions into one table without losing answers."""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from congress.extensions import db
from tests.test_migrations import MIGRATIONS, _app_for
from tests.test_migrations import empty_database as empty_database  # the fixture

BEFORE = "checkin_0002"


def _insert(conn, table_name: str, **values):
    """A row with ``values``; other required columns get a plain value of their type."""
    table = sa.Table(table_name, sa.MetaData(), autoload_with=conn)
    row = {}
    for column in table.columns:
        if column.name in values or column.nullable or column.primary_key or column.server_default is not None:
            continue
        kind = column.type
        if isinstance(kind, sa.Boolean):
            row[column.name] = False
        elif isinstance(kind, sa.Integer):
            row[column.name] = 0
        elif isinstance(kind, sa.JSON):
            row[column.name] = {}
        elif isinstance(kind, sa.DateTime):
            row[column.name] = datetime(2030, 1, 1, tzinfo=UTC)
        elif isinstance(kind, sa.Date):
            row[column.name] = date(2030, 1, 1)
        else:
            row[column.name] = f"{column.name}-{len(values)}"[: getattr(kind, "length", None) or 100]
    row.update(values)
    return conn.execute(sa.insert(table).returning(table.c.id), row).scalar_one()


def _json(conn, sql: str, **params):
    return [dict(r._mapping) for r in conn.execute(sa.text(sql).columns(answers=sa.JSON, options=sa.JSON), params)]


def test_both_tables_become_one_and_answers_still_match(app, empty_database):
    other = _app_for(empty_database, app)
    with other.app_context():
        upgrade(directory=MIGRATIONS, revision=BEFORE)
        with db.engine.begin() as conn:
            congress = _insert(conn, "congresses", slug="mig", status="draft", timezone="Europe/Amsterdam")
            reg_q = [_insert(conn, "registration_questions", congress_id=congress, kind=kind, label_nl=f"R{i}",
                             label_en="", required=i == 0, position=i,
                             options=[{"value": "1", "nl": "Ja", "en": "Yes"}] if "choice" in kind else [])
                     for i, kind in enumerate(("short_text", "single_choice", "multiple_choice"))]
            cfp_q = [_insert(conn, "cfp_questions", congress_id=congress, kind=kind, label_nl=f"C{i}",
                             label_en=f"E{i}", required=False, position=i,
                             options=["ja", "nee"] if kind == "choice" else [])
                     for i, kind in enumerate(("text", "textarea", "choice", "checkbox"))]
            registration = _insert(conn, "registrations", congress_id=congress, status="pending", role="deelnemer",
                                   source="form", locale="nl",
                                   answers={str(reg_q[0]): "tekst", str(reg_q[1]): "1", str(reg_q[2]): ["1"]})
            proposal = _insert(conn, "cfp_proposals", congress_id=congress, status="draft", language="nl",
                               answers={str(cfp_q[0]): "kort", str(cfp_q[1]): "lang", str(cfp_q[2]): "nee",
                                        str(cfp_q[3]): True, "999": "van een verwijderde vraag"})

        upgrade(directory=MIGRATIONS)
        with db.engine.begin() as conn:
            rows = _json(conn, "SELECT id, target, kind, label_nl, options, max_length, required FROM questions "
                               "ORDER BY id")
            by_label = {r["label_nl"]: r for r in rows}
            # Registration questions keep their ids: the registration's answers point at the same questions.
            assert [by_label[f"R{i}"]["id"] for i in range(3)] == reg_q
            assert {by_label[f"R{i}"]["target"] for i in range(3)} == {"registration"}
            (reg,) = _json(conn, "SELECT answers FROM registrations WHERE id = :id", id=registration)
            assert reg["answers"] == {str(reg_q[0]): "tekst", str(reg_q[1]): "1", str(reg_q[2]): ["1"]}
            # Call questions have new ids, their kinds renamed, options as {value, nl, en}.
            new = [by_label[f"C{i}"] for i in range(4)]
            assert [r["kind"] for r in new] == ["short_text", "long_text", "single_choice", "checkbox"]
            assert {r["target"] for r in new} == {"proposal"}
            assert new[2]["options"] == [{"value": "ja", "nl": "ja", "en": ""}, {"value": "nee", "nl": "nee", "en": ""}]
            assert [r["max_length"] for r in new] == [2000, 2000, None, None]
            assert len({r["id"] for r in rows}) == len(rows) == 7
            (prop,) = _json(conn, "SELECT answers FROM cfp_proposals WHERE id = :id", id=proposal)
            assert prop["answers"] == {str(new[0]["id"]): "kort", str(new[1]["id"]): "lang",
                                       str(new[2]["id"]): "nee", str(new[3]["id"]): True,
                                       "deleted_999": "van een verwijderde vraag"}
            assert not {"registration_questions", "cfp_questions"} & set(sa.inspect(conn).get_table_names())
            # A new question gets an id after the moved ones (the sequence follows on PostgreSQL).
            added = _insert(conn, "questions", congress_id=congress, target="evaluation", kind="scale_5",
                            label_nl="Hoe was het?", label_en="", options=[], required=False, position=0)
            assert added > max(r["id"] for r in rows)
            conn.execute(sa.text("DELETE FROM questions WHERE id = :id"), {"id": added})

        downgrade(directory=MIGRATIONS, revision=BEFORE)
        with db.engine.begin() as conn:
            reg_rows = _json(conn, "SELECT id, kind, options FROM registration_questions ORDER BY id")
            assert [r["id"] for r in reg_rows] == reg_q
            cfp_rows = _json(conn, "SELECT id, kind, options FROM cfp_questions ORDER BY id")
            assert [r["kind"] for r in cfp_rows] == ["text", "textarea", "choice", "checkbox"]
            assert cfp_rows[2]["options"] == ["ja", "nee"]
            (prop,) = _json(conn, "SELECT answers FROM cfp_proposals WHERE id = :id", id=proposal)
            assert {str(r["id"]) for r in cfp_rows} <= set(prop["answers"])  # the kept ids still match
        db.session.remove()
        db.engine.dispose()
