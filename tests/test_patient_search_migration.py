"""Migration 0006 fills the folded name of patients that existed before it; the fold itself."""

from alembic import command
from sqlalchemy import create_engine, text

from hearth.textfold import fold
from tests.conftest import alembic_config


def test_fold_lowers_strips_accents_and_splits_words():
    assert fold("José  NÚÑEZ-García") == "jose nunez garcia"
    assert fold("O'Brien") == "o brien"
    assert fold("Zoë_Ångström") == "zoe angstrom"
    assert fold(None) == ""


def test_existing_patients_get_their_search_name(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'm.db'}")
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0005_appointment_confirmed")
        conn.execute(text("INSERT INTO practice (id, name, slug, timezone, adult_age, minor_full_access_below, "
                          "created_at) VALUES (1, 'P', 'p', 'UTC', 18, 12, '2026-01-01 00:00:00')"))
        conn.execute(text("INSERT INTO patient (id, practice_id, mrn, given_name, family_name, date_of_birth, "
                          "preferred_language, preferred_channels, created_at) VALUES "
                          "(1, 1, 'M1', 'Ana', 'López', '1990-01-01', 'es', 'email', '2026-01-01 00:00:00')"))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
        assert conn.execute(text("SELECT search_name FROM patient WHERE id = 1")).scalar_one() == "ana lopez"
    engine.dispose()
