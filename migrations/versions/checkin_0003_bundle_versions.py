"""check-in: versions of the station bundle, kept by the database

A station polls its edition's bundle every minute. ``checkin_bundle_versions`` holds one counter per
edition (with a random ``epoch``, so that a version of another edition or of a recreated counter is
never taken for a current one); ``checkin_bundle_changes`` the counter's value at the last change of
each registration the bundle describes (its name, organisation, notes, status, enrolments, badge
codes and their revocation). Triggers keep both up to date in the transaction of every change, through
the ORM, a bulk update or a cascade alike:

- PostgreSQL: constraint triggers, deferred to the commit, so that the counter's row lock is taken
  last and held only while committing; versions are therefore handed out in commit order.
- SQLite: ordinary triggers; one writer at a time keeps the same order.

An unchanged poll compares the counter (one row) with the station's ETag; ``?since=`` reads the
registrations changed after the station's version.

Revision ID: checkin_0003
Revises: archive_0008
Create Date: 2026-12-04 21:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'checkin_0003'
down_revision = 'archive_0008'
branch_labels = None
depends_on = None

_REGISTRATION_COLUMNS = "congress_id, name, organisation, accessibility, dietary, status"

_PG_FUNCTIONS = [
    """
    CREATE FUNCTION checkin_bundle_touch(c integer, r integer) RETURNS void LANGUAGE plpgsql AS $$
    DECLARE s integer;
    BEGIN
      IF c IS NULL OR r IS NULL OR NOT EXISTS (SELECT 1 FROM congresses WHERE id = c) THEN
        RETURN;
      END IF;
      INSERT INTO checkin_bundle_versions (congress_id, epoch, seq)
        VALUES (c, substr(md5(random()::text || clock_timestamp()::text), 1, 12), 0)
        ON CONFLICT (congress_id) DO NOTHING;
      UPDATE checkin_bundle_versions SET seq = seq + 1 WHERE congress_id = c RETURNING seq INTO s;
      INSERT INTO checkin_bundle_changes (congress_id, registration_id, seq) VALUES (c, r, s)
        ON CONFLICT (congress_id, registration_id) DO UPDATE SET seq = EXCLUDED.seq;
    END $$
    """,
    """
    CREATE FUNCTION checkin_bundle_registration_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'DELETE' THEN
        PERFORM checkin_bundle_touch(OLD.congress_id, OLD.id);
      ELSE
        PERFORM checkin_bundle_touch(NEW.congress_id, NEW.id);
      END IF;
      RETURN NULL;
    END $$
    """,
    """
    CREATE FUNCTION checkin_bundle_code_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'DELETE' THEN
        PERFORM checkin_bundle_touch(OLD.congress_id, OLD.registration_id);
      ELSE
        PERFORM checkin_bundle_touch(NEW.congress_id, NEW.registration_id);
      END IF;
      RETURN NULL;
    END $$
    """,
    """
    CREATE FUNCTION checkin_bundle_enrolment_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE rid integer; c integer;
    BEGIN
      IF TG_OP = 'DELETE' THEN rid := OLD.registration_id; ELSE rid := NEW.registration_id; END IF;
      SELECT congress_id INTO c FROM registrations WHERE id = rid;
      IF FOUND THEN
        PERFORM checkin_bundle_touch(c, rid);
      END IF;
      RETURN NULL;
    END $$
    """,
]

_PG_TRIGGERS = [
    ("registrations", f"INSERT OR UPDATE OF {_REGISTRATION_COLUMNS} OR DELETE",
     "checkin_bundle_registration_changed"),
    ("badge_codes", "INSERT OR UPDATE OF revoked_at, registration_id OR DELETE", "checkin_bundle_code_changed"),
    ("registration_enrolments", "INSERT OR UPDATE OF status, session_id, registration_id OR DELETE",
     "checkin_bundle_enrolment_changed"),
]


def _sqlite_touch(congress: str, registration: str) -> str:
    """The three statements of a change in a SQLite trigger (no variables there: expressions)."""
    exists = f"EXISTS (SELECT 1 FROM congresses WHERE id = {congress})"
    return (
        f"INSERT INTO checkin_bundle_versions (congress_id, epoch, seq) "
        f"SELECT {congress}, lower(hex(randomblob(6))), 0 WHERE {exists} ON CONFLICT (congress_id) DO NOTHING; "
        f"UPDATE checkin_bundle_versions SET seq = seq + 1 WHERE congress_id = {congress} AND {exists}; "
        f"INSERT INTO checkin_bundle_changes (congress_id, registration_id, seq) "
        f"SELECT congress_id, {registration}, seq FROM checkin_bundle_versions "
        f"WHERE congress_id = {congress} AND {registration} IS NOT NULL AND {exists} "
        f"ON CONFLICT (congress_id, registration_id) DO UPDATE SET seq = excluded.seq;"
    )


def _sqlite_triggers() -> list[str]:
    enrolment_congress = "(SELECT congress_id FROM registrations WHERE id = {row}.registration_id)"
    statements = []
    for table, events, congress, registration in [
        ("registrations", [("insert", "INSERT", "NEW"), ("update", f"UPDATE OF {_REGISTRATION_COLUMNS}", "NEW"),
                           ("delete", "DELETE", "OLD")], "{row}.congress_id", "{row}.id"),
        ("badge_codes", [("insert", "INSERT", "NEW"), ("update", "UPDATE OF revoked_at, registration_id", "NEW"),
                         ("delete", "DELETE", "OLD")], "{row}.congress_id", "{row}.registration_id"),
        ("registration_enrolments", [("insert", "INSERT", "NEW"),
                                     ("update", "UPDATE OF status, session_id, registration_id", "NEW"),
                                     ("delete", "DELETE", "OLD")], enrolment_congress, "{row}.registration_id"),
    ]:
        for suffix, event, row in events:
            body = _sqlite_touch(congress.format(row=row), registration.format(row=row))
            statements.append(f"CREATE TRIGGER checkin_bundle_{table}_{suffix} AFTER {event} ON {table} "
                              f"BEGIN {body} END")
    return statements


def upgrade():
    op.create_table(
        'checkin_bundle_versions',
        sa.Column('congress_id', sa.Integer(), nullable=False),
        sa.Column('epoch', sa.String(length=32), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['congress_id'], ['congresses.id'],
                                name=op.f('fk_checkin_bundle_versions_congress_id_congresses'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('congress_id', name=op.f('pk_checkin_bundle_versions')),
    )
    op.create_table(
        'checkin_bundle_changes',
        sa.Column('congress_id', sa.Integer(), nullable=False),
        sa.Column('registration_id', sa.Integer(), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['congress_id'], ['congresses.id'],
                                name=op.f('fk_checkin_bundle_changes_congress_id_congresses'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('congress_id', 'registration_id', name=op.f('pk_checkin_bundle_changes')),
    )
    with op.batch_alter_table('checkin_bundle_changes', schema=None) as batch_op:
        batch_op.create_index('ix_checkin_bundle_changes_congress_seq', ['congress_id', 'seq'], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        for function in _PG_FUNCTIONS:
            op.execute(function)
        for table, events, function in _PG_TRIGGERS:
            op.execute(f"CREATE CONSTRAINT TRIGGER checkin_bundle_{table} AFTER {events} ON {table} "
                       f"DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION {function}()")
    else:
        for statement in _sqlite_triggers():
            op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table, _events, _function in _PG_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS checkin_bundle_{table} ON {table}")
        for name in ("checkin_bundle_enrolment_changed", "checkin_bundle_code_changed",
                     "checkin_bundle_registration_changed"):
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
        op.execute("DROP FUNCTION IF EXISTS checkin_bundle_touch(integer, integer)")
    else:
        for table in ("registrations", "badge_codes", "registration_enrolments"):
            for suffix in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS checkin_bundle_{table}_{suffix}")
    with op.batch_alter_table('checkin_bundle_changes', schema=None) as batch_op:
        batch_op.drop_index('ix_checkin_bundle_changes_congress_seq')
    op.drop_table('checkin_bundle_changes')
    op.drop_table('checkin_bundle_versions')
