"""practice texts in several languages: visit types' and locations' translations, the practice's language

Revision ID: 0012b_practice_texts
Revises: 0012a_staff_history
"""

import sqlalchemy as sa
from alembic import op

revision = "0012b_practice_texts"
down_revision = "0012a_staff_history"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("practice", schema=None) as batch_op:
        batch_op.add_column(sa.Column("default_language", sa.String(length=10), nullable=False,
                                      server_default="en"))
    for table in ("visit_type", "location"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("translations", sa.JSON(), nullable=False, server_default="{}"))
    # The models give the defaults from now on; the server defaults only filled the existing rows.
    with op.batch_alter_table("practice", schema=None) as batch_op:
        batch_op.alter_column("default_language", server_default=None)
    for table in ("visit_type", "location"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column("translations", server_default=None)


def downgrade():
    for table in ("location", "visit_type"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("translations")
    with op.batch_alter_table("practice", schema=None) as batch_op:
        batch_op.drop_column("default_language")
