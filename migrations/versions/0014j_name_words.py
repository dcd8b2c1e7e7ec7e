"""patient_name_word: one row per word of a patient's folded name, for the staff search (issue 11)

The staff search for a word prefix ("garc") reads the distinct words in the prefix's range and, per word, the
first patients in list order (family name, given name, id) from `ix_patient_name_word_page`, so a page costs
the same with 10,000 or 1,000,000 patients however many of them match (hearth/services/patient_search.py).
Filled here from `patient.search_name` (one INSERT … SELECT on PostgreSQL, before the indexes are built);
the application keeps it in step afterwards (hearth/patient_words.py).

Revision ID: 0014j_name_words
Revises: 0014i_read_scaling
"""

import sqlalchemy as sa
from alembic import op

revision = "0014j_name_words"
down_revision = "0014i_read_scaling"
branch_labels = None
depends_on = None


def upgrade():
    postgres = op.get_bind().dialect.name == "postgresql"
    word = sa.String(length=300, collation="C") if postgres else sa.String(length=300)
    columns = [
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("word", word, nullable=False),
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.Column("family_name", sa.String(length=100), nullable=False),
        sa.Column("given_name", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["patient_id"], ["patient.id"], ondelete="CASCADE"),
    ]
    if postgres:
        # Fill first, then build the key and the index: one sort each instead of 3,000,000 index insertions.
        op.create_table("patient_name_word", *columns)
        op.execute(
            "INSERT INTO patient_name_word (patient_id, word, practice_id, family_name, given_name) "
            "SELECT DISTINCT p.id, w.word, p.practice_id, p.family_name, p.given_name "
            "FROM patient p CROSS JOIN LATERAL unnest(string_to_array(p.search_name, ' ')) AS w(word) "
            "WHERE w.word <> ''"
        )
        op.create_primary_key("patient_name_word_pkey", "patient_name_word", ["patient_id", "word"])
    else:
        op.create_table("patient_name_word", *columns, sa.PrimaryKeyConstraint("patient_id", "word"))
        conn = op.get_bind()
        rows = [{"patient_id": pid, "word": w, "practice_id": practice, "family_name": family, "given_name": given}
                for pid, practice, name, given, family in conn.execute(sa.text(
                    "SELECT id, practice_id, search_name, given_name, family_name FROM patient"))
                for w in sorted(set((name or "").split()))]
        if rows:
            conn.execute(sa.text("INSERT INTO patient_name_word (patient_id, word, practice_id, family_name, "
                                 "given_name) VALUES (:patient_id, :word, :practice_id, :family_name, :given_name)"),
                         rows)
    op.create_index("ix_patient_name_word_page", "patient_name_word",
                    ["practice_id", "word", "family_name", "given_name", "patient_id"])
    if postgres:
        op.execute("ANALYZE patient_name_word")


def downgrade():
    op.drop_index("ix_patient_name_word_page", table_name="patient_name_word")
    op.drop_table("patient_name_word")
