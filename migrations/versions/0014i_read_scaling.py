"""patient: indexes for the staff search, so it costs the same with 10,000 or 1,000,000 patients (issue 11)

Trigram GIN indexes (pg_trgm, a trusted extension: the database owner may create it) serve the
search's `search_name LIKE 'w%' OR LIKE '% w%'` and `mrn ILIKE 'x%'` / `LIKE '%123%'`; a B-tree serves the
date-of-birth search; the name index gains `id` and covers the searched columns (INCLUDE), so a search
walks it in result order without reading the table. On SQLite the same names are plain indexes (SQLite ignores the PostgreSQL options).

Revision ID: 0014i_read_scaling
Revises: 0013_read_indexes
"""

from alembic import op

revision = "0014i_read_scaling"
down_revision = '0014g_gfe_financing'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        # In public, named with its schema below: a migration run under a private search_path (the benchmarks'
        # and the concurrency tests' schemas) must neither install it there nor miss it when it is in public.
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public")
    op.create_index("ix_patient_search_name_trgm", "patient", ["search_name"], postgresql_using="gin",
                    postgresql_ops={"search_name": "public.gin_trgm_ops"})
    op.create_index("ix_patient_mrn_trgm", "patient", ["mrn"], postgresql_using="gin",
                    postgresql_ops={"mrn": "public.gin_trgm_ops"})
    op.create_index("ix_patient_practice_date_of_birth", "patient", ["practice_id", "date_of_birth"])
    op.drop_index("ix_patient_practice_name", table_name="patient")
    op.create_index("ix_patient_practice_name", "patient", ["practice_id", "family_name", "given_name", "id"],
                    postgresql_include=["search_name", "mrn", "date_of_birth"])


def downgrade():
    op.drop_index("ix_patient_practice_name", table_name="patient")
    op.create_index("ix_patient_practice_name", "patient", ["practice_id", "family_name", "given_name"])
    op.drop_index("ix_patient_practice_date_of_birth", table_name="patient")
    op.drop_index("ix_patient_mrn_trgm", table_name="patient")
    op.drop_index("ix_patient_search_name_trgm", table_name="patient")
