"""questions: one question model for the registration form and the call for proposals

``registration_questions`` and ``cfp_questions`` become one table ``questions`` with a ``target``
(``registration``, ``proposal``, ``evaluation``). Nothing is lost:

- registration questions keep their ids, so the answers on registrations (JSON keyed by question id)
  still point at them;
- call questions get new ids after the highest one, and the keys of ``cfp_proposals.answers`` are
  rewritten to them; an answer to a question deleted before (its key matches no question) is kept under
  ``deleted_<old id>``, where no question can ever match it;
- the call's kinds are renamed (text → short_text, textarea → long_text, choice → single_choice,
  checkbox stays) and its plain-string options become ``{value: the string, nl: the string, en: ""}``, so
  stored answers (the string) stay valid; its text questions keep their limit of 2000 characters
  (``max_length``).

The downgrade splits the table again; call questions keep their new ids there (the rewritten answers
still match). Evaluation questions, and kinds the old tables cannot hold, are dropped by it.

Revision ID: questions_0001
Revises: checkin_0002
Create Date: 2026-12-02 00:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'questions_0001'
down_revision = 'accounts_0002'
branch_labels = None
depends_on = None

CFP_KINDS = {'text': 'short_text', 'textarea': 'long_text', 'choice': 'single_choice', 'checkbox': 'checkbox'}
CFP_ANSWER_MAX = 2000
REGISTRATION_KINDS = ('short_text', 'long_text', 'single_choice', 'multiple_choice', 'checkbox')

questions = sa.table(
    'questions', sa.column('id', sa.Integer), sa.column('congress_id', sa.Integer), sa.column('target', sa.String),
    sa.column('kind', sa.String), sa.column('label_nl', sa.String), sa.column('label_en', sa.String),
    sa.column('help_nl', sa.String), sa.column('help_en', sa.String), sa.column('options', sa.JSON),
    sa.column('scale_low_nl', sa.String), sa.column('scale_low_en', sa.String),
    sa.column('scale_high_nl', sa.String), sa.column('scale_high_en', sa.String),
    sa.column('required', sa.Boolean), sa.column('max_length', sa.Integer), sa.column('position', sa.Integer),
)
registration_questions = sa.table(
    'registration_questions', sa.column('id', sa.Integer), sa.column('congress_id', sa.Integer),
    sa.column('kind', sa.String), sa.column('label_nl', sa.String), sa.column('label_en', sa.String),
    sa.column('required', sa.Boolean), sa.column('options', sa.JSON), sa.column('position', sa.Integer),
)
cfp_questions = sa.table(
    'cfp_questions', sa.column('id', sa.Integer), sa.column('congress_id', sa.Integer),
    sa.column('kind', sa.String), sa.column('label_nl', sa.String), sa.column('label_en', sa.String),
    sa.column('options', sa.JSON), sa.column('required', sa.Boolean), sa.column('position', sa.Integer),
)
proposals = sa.table('cfp_proposals', sa.column('id', sa.Integer), sa.column('answers', sa.JSON))


def _reset_sequence(conn, table):
    if conn.dialect.name == 'postgresql':
        conn.exec_driver_sql(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, "
            "false)")


def _create_questions():
    op.create_table('questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('congress_id', sa.Integer(), nullable=False),
    sa.Column('target', sa.String(length=16), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('label_nl', sa.String(length=300), nullable=False),
    sa.Column('label_en', sa.String(length=300), nullable=False),
    sa.Column('help_nl', sa.String(length=1000), nullable=False),
    sa.Column('help_en', sa.String(length=1000), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('scale_low_nl', sa.String(length=100), nullable=False),
    sa.Column('scale_low_en', sa.String(length=100), nullable=False),
    sa.Column('scale_high_nl', sa.String(length=100), nullable=False),
    sa.Column('scale_high_en', sa.String(length=100), nullable=False),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('max_length', sa.Integer(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.CheckConstraint("target IN ('registration', 'proposal', 'evaluation')", name=op.f('ck_questions_target_known')),
    sa.CheckConstraint("kind IN ('short_text', 'long_text', 'single_choice', 'multiple_choice', 'checkbox', 'scale_5', "
                       "'scale_10')", name=op.f('ck_questions_kind_known')),
    sa.CheckConstraint('max_length IS NULL OR max_length > 0', name=op.f('ck_questions_max_length_positive')),
    sa.ForeignKeyConstraint(['congress_id'], ['congresses.id'], name=op.f('fk_questions_congress_id_congresses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_questions'))
    )
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_questions_congress_id'), ['congress_id'], unique=False)


def _blank(**values):
    return {'help_nl': '', 'help_en': '', 'scale_low_nl': '', 'scale_low_en': '', 'scale_high_nl': '',
            'scale_high_en': '', 'max_length': None, **values}


def upgrade():
    conn = op.get_bind()
    _create_questions()
    rows = [_blank(id=r.id, congress_id=r.congress_id, target='registration', kind=r.kind, label_nl=r.label_nl,
                   label_en=r.label_en, options=r.options or [], required=r.required, position=r.position)
            for r in conn.execute(sa.select(registration_questions).order_by(registration_questions.c.id))]
    next_id = max([r['id'] for r in rows], default=0)
    next_id = max(next_id, conn.execute(sa.select(sa.func.max(cfp_questions.c.id))).scalar() or 0)
    new_ids = {}
    for r in conn.execute(sa.select(cfp_questions).order_by(cfp_questions.c.id)):
        next_id += 1
        new_ids[str(r.id)] = str(next_id)
        kind = CFP_KINDS[r.kind]
        rows.append(_blank(
            id=next_id, congress_id=r.congress_id, target='proposal', kind=kind, label_nl=r.label_nl,
            label_en=r.label_en, required=r.required, position=r.position,
            options=[{'value': o, 'nl': o, 'en': ''} for o in r.options or []] if kind == 'single_choice' else [],
            max_length=CFP_ANSWER_MAX if kind in ('short_text', 'long_text') else None))
    if rows:
        conn.execute(sa.insert(questions), rows)
    _reset_sequence(conn, 'questions')
    for p in conn.execute(sa.select(proposals.c.id, proposals.c.answers)).all():
        if not p.answers:
            continue
        answers = {new_ids.get(k, f'deleted_{k}'): v for k, v in p.answers.items()}
        conn.execute(sa.update(proposals).where(proposals.c.id == p.id).values(answers=answers))

    with op.batch_alter_table('registration_questions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registration_questions_congress_id'))
    op.drop_table('registration_questions')
    with op.batch_alter_table('cfp_questions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cfp_questions_congress_id'))
    op.drop_table('cfp_questions')


def downgrade():
    conn = op.get_bind()
    op.create_table('registration_questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('congress_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('label_nl', sa.String(length=300), nullable=False),
    sa.Column('label_en', sa.String(length=300), nullable=False),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.CheckConstraint("kind IN ('short_text', 'long_text', 'single_choice', 'multiple_choice', 'checkbox')", name=op.f('ck_registration_questions_kind_known')),
    sa.ForeignKeyConstraint(['congress_id'], ['congresses.id'], name=op.f('fk_registration_questions_congress_id_congresses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registration_questions'))
    )
    with op.batch_alter_table('registration_questions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_registration_questions_congress_id'), ['congress_id'], unique=False)
    op.create_table('cfp_questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('congress_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('label_nl', sa.String(length=300), nullable=False),
    sa.Column('label_en', sa.String(length=300), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.CheckConstraint("kind IN ('text', 'textarea', 'choice', 'checkbox')", name=op.f('ck_cfp_questions_kind_known')),
    sa.ForeignKeyConstraint(['congress_id'], ['congresses.id'], name=op.f('fk_cfp_questions_congress_id_congresses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cfp_questions'))
    )
    with op.batch_alter_table('cfp_questions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cfp_questions_congress_id'), ['congress_id'], unique=False)

    back = {'short_text': 'text', 'long_text': 'textarea', 'single_choice': 'choice', 'multiple_choice': 'choice',
            'checkbox': 'checkbox'}
    registration_rows, cfp_rows = [], []
    for q in conn.execute(sa.select(questions).order_by(questions.c.id)):
        common = {'id': q.id, 'congress_id': q.congress_id, 'label_nl': q.label_nl, 'label_en': q.label_en,
                  'required': q.required, 'position': q.position}
        if q.target == 'registration' and q.kind in REGISTRATION_KINDS:
            registration_rows.append({**common, 'kind': q.kind, 'options': q.options or []})
        elif q.target == 'proposal' and q.kind in back:
            cfp_rows.append({**common, 'kind': back[q.kind], 'options': [o['value'] for o in q.options or []]})
    if registration_rows:
        conn.execute(sa.insert(registration_questions), registration_rows)
    if cfp_rows:
        conn.execute(sa.insert(cfp_questions), cfp_rows)
    _reset_sequence(conn, 'registration_questions')
    _reset_sequence(conn, 'cfp_questions')

    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_questions_congress_id'))
    op.drop_table('questions')
