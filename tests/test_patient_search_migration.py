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


def test_existing_patients_get_their_name_words(tmp_path):
    """Migration 0014j fills patient_name_word from the folded names already there."""
    engine = create_engine(f"sqlite:///{tmp_path / 'm.db'}")
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0014i_read_scaling")
        # (a plain SQLite connection does not enforce foreign keys: no practice row needed)
        conn.execute(text("INSERT INTO patient (id, practice_id, mrn, given_name, family_name, date_of_birth, "
                          "preferred_language, preferred_channels, created_at, search_name, "
                          "calendar_shows_visit_type) VALUES (1, 1, 'M1', 'Ana', 'López-Ana', '1990-01-01', 'es', "
                          "'email', '2026-01-01 00:00:00', 'ana lopez ana lopezana', 0)"))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
        rows = conn.execute(text("SELECT word, practice_id, family_name, given_name FROM patient_name_word "
                                 "WHERE patient_id = 1 ORDER BY word")).all()
        assert [tuple(r) for r in rows] == [("ana", 1, "López-Ana", "Ana"), ("lopez", 1, "López-Ana", "Ana"),
                                            ("lopezana", 1, "López-Ana", "Ana")]
    engine.dispose()
