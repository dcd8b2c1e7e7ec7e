"""The ceiling for bench/http_reads.py: a bare Flask + SQLAlchemy app on the same database as Hearth.

GET /read answers 20 indexed rows of the `patient` table (the practice's first 20 by name, the index
ix_patient_practice_name) as JSON; POST /write inserts one row into `bench_bare_write` and commits.
Served by gunicorn with Hearth's own deploy/gunicorn.conf.py, so only the application differs.
"""

from __future__ import annotations

import os

from flask import Flask, jsonify
from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, create_engine, func, insert, select, text

engine = create_engine(os.environ["DATABASE_URL"], pool_size=8, max_overflow=8)
if engine.dialect.name == "sqlite":
    from sqlalchemy import event

    @event.listens_for(engine, "connect")
    def _wal(dbapi_connection, _record) -> None:  # as hearth.db does: WAL and a busy timeout
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

meta = MetaData()
written = Table("bench_bare_write", meta, Column("id", Integer, primary_key=True), Column("note", String(40)),
                Column("at", DateTime, server_default=func.now()))
PRACTICE_ID = int(os.environ.get("BARE_PRACTICE_ID", "1"))
READ = text("SELECT id, mrn, given_name, family_name, date_of_birth FROM patient WHERE practice_id = :p "
            "ORDER BY family_name, given_name LIMIT 20")

app = Flask(__name__)


@app.get("/read")
def read():
    with engine.connect() as conn:
        rows = conn.execute(READ, {"p": PRACTICE_ID}).all()
    return jsonify([{"id": r.id, "mrn": r.mrn, "given_name": r.given_name, "family_name": r.family_name,
                     "date_of_birth": str(r.date_of_birth)} for r in rows])


@app.post("/write")
def write():
    with engine.begin() as conn:
        new_id = conn.execute(insert(written).values(note="bench").returning(written.c.id)).scalar_one()
    return jsonify({"id": new_id}), 201


@app.get("/ready")
def ready():
    with engine.connect() as conn:
        conn.execute(select(1))
    return "ok"
