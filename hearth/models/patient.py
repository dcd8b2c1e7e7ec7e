"""Patient records, providers and care teams."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, UniqueConstraint, event, inspect
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hearth.clock import utcnow
from hearth.models.base import Base, UTCDateTime
from hearth.models.practice import Practice
from hearth.models.user import User
from hearth.textfold import search_key

CHANNELS = ("push", "email", "sms")


class Provider(Base):
    """A clinician; `user_id` links the account the clinician signs in with."""

    __tablename__ = "provider"

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    given_name: Mapped[str] = mapped_column(String(100))
    family_name: Mapped[str] = mapped_column(String(100))
    credentials: Mapped[str | None] = mapped_column(String(40))
    specialty: Mapped[str] = mapped_column(String(120))
    npi: Mapped[str | None] = mapped_column(String(10))

    @property
    def display_name(self) -> str:
        suffix = f", {self.credentials}" if self.credentials else ""
        return f"{self.given_name} {self.family_name}{suffix}"


class CareTeam(Base):
    __tablename__ = "care_team"

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))

    members: Mapped[list[CareTeamMember]] = relationship(cascade="all, delete-orphan")


class CareTeamMember(Base):
    __tablename__ = "care_team_member"
    __table_args__ = (UniqueConstraint("care_team_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    care_team_id: Mapped[int] = mapped_column(ForeignKey("care_team.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    role_label: Mapped[str] = mapped_column(String(60))


class Patient(Base):
    __tablename__ = "patient"
    __table_args__ = (
        UniqueConstraint("practice_id", "mrn"),
        # Covering on PostgreSQL: the staff list/search walks it in name order testing the search columns
        # without reading the table (hearth/services/patients.practice_patients).
        Index("ix_patient_practice_name", "practice_id", "family_name", "given_name", "id",
              postgresql_include=["search_name", "mrn", "date_of_birth"]),
        Index("ix_patient_practice_search_name", "practice_id", "search_name"),
        # The staff search (hearth/services/patient_search.py) matches word starts inside search_name and
        # MRN prefixes/digits: trigram GIN indexes on PostgreSQL (pg_trgm, migration 0014i), plain ones on SQLite.
        Index("ix_patient_search_name_trgm", "search_name", postgresql_using="gin",
              postgresql_ops={"search_name": "public.gin_trgm_ops"}),
        Index("ix_patient_mrn_trgm", "mrn", postgresql_using="gin", postgresql_ops={"mrn": "public.gin_trgm_ops"}),
        Index("ix_patient_practice_date_of_birth", "practice_id", "date_of_birth"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    mrn: Mapped[str] = mapped_column(String(30))
    given_name: Mapped[str] = mapped_column(String(100))
    family_name: Mapped[str] = mapped_column(String(100))
    date_of_birth: Mapped[date] = mapped_column(Date)
    sex: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))  # E.164, see hearth.phones
    address: Mapped[str | None] = mapped_column(String(300))
    preferred_language: Mapped[str] = mapped_column(String(10), default="en")
    # Comma-separated channels in order of preference, e.g. "push,email".
    preferred_channels: Mapped[str] = mapped_column(String(40), default="email")
    primary_provider_id: Mapped[int | None] = mapped_column(ForeignKey("provider.id", ondelete="SET NULL"))
    care_team_id: Mapped[int | None] = mapped_column(ForeignKey("care_team.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # "given family" folded, plus names with their punctuation run together (hearth.textfold.search_key):
    # kept in step on every ORM insert and update.
    search_name: Mapped[str | None] = mapped_column(String(300))
    # Calendar files (.ics) name the visit type only when the patient asks: titles show on lock screens.
    calendar_shows_visit_type: Mapped[bool] = mapped_column(default=False)

    practice: Mapped[Practice] = relationship(lazy="joined", innerjoin=True)
    user: Mapped[User | None] = relationship()
    primary_provider: Mapped[Provider | None] = relationship()
    care_team: Mapped[CareTeam | None] = relationship()

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def channels(self) -> list[str]:
        return [c for c in self.preferred_channels.split(",") if c]


class PatientNameWord(Base):
    """One word of a patient's folded name (`Patient.search_name`), with the names the staff list sorts by.

    The staff search for a word prefix reads the few distinct words in the prefix's range and, per word, the
    first patients in list order from `ix_patient_name_word_page` (hearth/services/patient_search.py), so its
    cost depends on the words and the page, not on how many patients match. Rows are derived data, replaced
    in the same flush as the patient's name or practice (events below; `hearth.patient_words` for bulk loads).
    `word` compares byte-wise (COLLATE "C" on PostgreSQL, SQLite's default), so a prefix is a plain range.
    """

    __tablename__ = "patient_name_word"
    __table_args__ = (
        Index("ix_patient_name_word_page", "practice_id", "word", "family_name", "given_name", "patient_id"),
    )

    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id", ondelete="CASCADE"), primary_key=True)
    word: Mapped[str] = mapped_column(String(300).with_variant(String(300, collation="C"), "postgresql"),
                                      primary_key=True)
    practice_id: Mapped[int] = mapped_column()
    family_name: Mapped[str] = mapped_column(String(100))
    given_name: Mapped[str] = mapped_column(String(100))


@event.listens_for(Patient, "before_insert")
@event.listens_for(Patient, "before_update")
def _fold_name(mapper, connection, target: Patient) -> None:
    target.search_name = search_key(target.given_name, target.family_name)[:300]


_WORD_SOURCES = ("given_name", "family_name", "practice_id", "search_name")


@event.listens_for(Patient, "after_insert")
def _index_new_name(mapper, connection, target: Patient) -> None:
    from hearth import patient_words

    patient_words.replace(connection, target.id, target.practice_id, target.search_name, target.given_name,
                          target.family_name, new=True)


@event.listens_for(Patient, "after_update")
def _index_changed_name(mapper, connection, target: Patient) -> None:
    from hearth import patient_words

    state = inspect(target)
    if any(state.attrs[name].history.has_changes() for name in _WORD_SOURCES):
        patient_words.replace(connection, target.id, target.practice_id, target.search_name, target.given_name,
                              target.family_name)
