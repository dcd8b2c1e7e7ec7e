"""patients: a folded name column (lower case, no accents) so "lopez" finds "López"

Revision ID: 0006_patient_search_name
Revises: 0005_appointment_confirmed
"""

import re
import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "0006_patient_search_name"
down_revision = "0005_appointment_confirmed"
branch_labels = None
depends_on = None


def _fold(text):
    # A copy of hearth.textfold.fold as it was when this migration was written.
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return re.sub(r"[\W_]+", " ", plain).strip()


def upgrade():
    with op.batch_alter_table("patient", schema=None) as batch_op:
        batch_op.add_column(sa.Column("search_name", sa.String(length=210), nullable=True))
        batch_op.create_index("ix_patient_practice_search_name", ["practice_id", "search_name"], unique=False)
    patient = sa.table("patient", sa.column("id", sa.Integer), sa.column("given_name", sa.String),
                       sa.column("family_name", sa.String), sa.column("search_name", sa.String))
    conn = op.get_bind()
    rows = conn.execute(sa.select(patient.c.id, patient.c.given_name, patient.c.family_name)).all()
    for row in rows:
        conn.execute(patient.update().where(patient.c.id == row.id)
                     .values(search_name=_fold(f"{row.given_name} {row.family_name}")[:210]))


def downgrade():
    with op.batch_alter_table("patient", schema=None) as batch_op:
        batch_op.drop_index("ix_patient_practice_search_name")
        batch_op.drop_column("search_name")
