"""Database tables as typed SQLAlchemy 2 models.

Three groups:

* the catalogue (fields, goals, measures, horizon targets, offices and who is responsible
  for what), kept in step with the catalogue file by :mod:`storage.catalogue_sync`;
* people (contacts with their role and offices, invitations and failed attempts);
* reporting (rounds, reports and their per-target answers).

Reports are append-only. A report is one office's statement about one measure in one
round, in numbered versions. While ``submitted_at`` is empty the version is a draft that
fills up answer by answer (every answer is committed as it is given); once submitted it is
never changed again, and a correction starts the next version. ``None`` in an answer
column means "not answered yet"; an empty string means "skipped on purpose".

All timestamps are stored in UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored as UTC and always returned timezone-aware (SQLite forgets zones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime; store aware UTC timestamps")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        return None if value is None else as_utc(value)


def as_utc(stored: datetime) -> datetime:
    """A timestamp as read from a UTCDateTime column without its type: aware, in UTC."""
    return stored.replace(tzinfo=UTC) if stored.tzinfo is None else stored.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Role(StrEnum):
    COORDINATOR = "coordinator"
    CONTACT = "contact"


class Status(StrEnum):
    """The state of a horizon target, in the order of the answer buttons."""

    ACHIEVED = "achieved"
    ON_TRACK = "on_track"
    DELAYED = "delayed"
    AT_RISK = "at_risk"
    NOT_STARTED = "not_started"
    DROPPED = "dropped"


class Obstacle(StrEnum):
    STAFF = "staff"
    FUNDING = "funding"
    LEGAL = "legal"
    COOPERATION = "cooperation"
    DATA = "data"
    OTHER = "other"


class ObstacleSet(TypeDecorator[tuple[Obstacle, ...]]):
    """Several obstacles in one column, e.g. ``staff,other``, in the order of :class:`Obstacle`.

    ``None`` is "not answered yet"; the empty tuple (stored as ``''``) is "none named".
    """

    impl = String(120)
    cache_ok = True

    def process_bind_param(self, value: tuple[Obstacle, ...] | None, dialect: object) -> str | None:
        return None if value is None else join_obstacles(value)

    def process_result_value(
        self, value: str | None, dialect: object
    ) -> tuple[Obstacle, ...] | None:
        return None if value is None else split_obstacles(value)


def join_obstacles(obstacles: tuple[Obstacle, ...] | frozenset[Obstacle]) -> str:
    """The stored form: values in the enum's order, comma-separated, each once."""
    return ",".join(o.value for o in Obstacle if o in obstacles)


def split_obstacles(stored: str) -> tuple[Obstacle, ...]:
    """The obstacles of a stored value; unknown values (from a newer version) are left out."""
    values = set(stored.split(","))
    return tuple(o for o in Obstacle if o.value in values)


def _enum(enum: type[StrEnum], name: str) -> Enum:
    # Stored as plain strings with a CHECK-free VARCHAR so new values need no type migration.
    return Enum(
        enum,
        name=name,
        native_enum=False,
        create_constraint=False,
        length=20,
        values_callable=lambda members: [member.value for member in members],
    )


# --- catalogue -----------------------------------------------------------------------------


class FieldOfAction(Base):
    __tablename__ = "fields"

    id: Mapped[int] = mapped_column(primary_key=True)
    numeral: Mapped[str] = mapped_column(String(10), unique=True)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(Text)
    retired: Mapped[bool] = mapped_column(Boolean, default=False)

    goals: Mapped[list[Goal]] = relationship(back_populates="field", order_by="Goal.position")


class Goal(Base):
    __tablename__ = "goals"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    field_id: Mapped[int] = mapped_column(ForeignKey("fields.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)
    retired: Mapped[bool] = mapped_column(Boolean, default=False)

    field: Mapped[FieldOfAction] = relationship(back_populates="goals")
    measures: Mapped[list[Measure]] = relationship(
        back_populates="goal", order_by="Measure.position"
    )


measure_offices = Table(
    "measure_offices",
    Base.metadata,
    Column("measure_id", ForeignKey("measures.id", ondelete="CASCADE"), primary_key=True),
    Column("office_id", ForeignKey("offices.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, nullable=False, default=0),
)


class Measure(Base):
    __tablename__ = "measures"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(30), unique=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("goals.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)
    indicator: Mapped[str] = mapped_column(Text)
    retired: Mapped[bool] = mapped_column(Boolean, default=False)

    goal: Mapped[Goal] = relationship(back_populates="measures")
    horizons: Mapped[list[HorizonTarget]] = relationship(
        back_populates="measure", order_by="HorizonTarget.position", cascade="all, delete-orphan"
    )
    # Written through the measure_offices table (it carries the order); read here.
    offices: Mapped[list[Office]] = relationship(
        secondary=measure_offices, order_by=measure_offices.c.position, viewonly=True
    )


class HorizonTarget(Base):
    """One horizon entry of a measure; ``terms`` is e.g. ``kurz`` or ``mittel+lang``."""

    __tablename__ = "horizon_targets"
    __table_args__ = (UniqueConstraint("measure_id", "terms"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("measures.id", ondelete="CASCADE"))
    terms: Mapped[str] = mapped_column(String(30))
    position: Mapped[int] = mapped_column(Integer)
    target: Mapped[str] = mapped_column(Text)
    retired: Mapped[bool] = mapped_column(Boolean, default=False)

    measure: Mapped[Measure] = relationship(back_populates="horizons")


class HorizonTerm(Base):
    """What kurz, mittel and lang mean in this plan."""

    __tablename__ = "horizon_terms"

    term: Mapped[str] = mapped_column(String(10), primary_key=True)
    label: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text)


class CatalogueInfo(Base):
    """Facts about the loaded catalogue as a whole, such as its name."""

    __tablename__ = "catalogue_info"

    key: Mapped[str] = mapped_column(String(50), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Office(Base):
    __tablename__ = "offices"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    position: Mapped[int] = mapped_column(Integer)
    retired: Mapped[bool] = mapped_column(Boolean, default=False)


# --- people --------------------------------------------------------------------------------

contact_offices = Table(
    "contact_offices",
    Base.metadata,
    Column("contact_id", ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True),
    Column("office_id", ForeignKey("offices.id", ondelete="CASCADE"), primary_key=True),
)


class Contact(Base):
    """A person known to the bot. Removing an account keeps the row for attribution."""

    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_user_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(_enum(Role, "role"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Telegram answered 403 (the person blocked the bot): no more reminders until they write
    unreachable_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # "Später erinnern": no reminder before this moment, then one; only in the round it
    # was pressed in (a snooze does not carry over into the next round)
    snoozed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # the id of that round; no foreign key, which would make contacts and rounds refer to
    # each other (rounds.opened_by_id) in a cycle. Rounds are never deleted.
    snoozed_round_id: Mapped[int | None] = mapped_column(Integer)
    # "abwesend bis": no reminders up to and including this (local) day
    absent_until: Mapped[date | None] = mapped_column(Date)

    offices: Mapped[list[Office]] = relationship(
        secondary=contact_offices, order_by="Office.position"
    )


class Invitation(Base):
    """A single-use invitation; only the hash of its token is stored."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[Role] = mapped_column(_enum(Role, "role"))
    office_id: Mapped[int | None] = mapped_column(ForeignKey("offices.id"))
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    used_by_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))

    office: Mapped[Office | None] = relationship()


class InvitationAttempt(Base):
    """A failed attempt of a Telegram user to redeem an invitation, or the coordination's
    notice about too many of them (``kind``: "failed" or "told"); never the token tried.

    Rows are only needed for a day: older ones are deleted whenever one is written.
    """

    __tablename__ = "invitation_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    kind: Mapped[str] = mapped_column(String(10))
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


# --- reporting -----------------------------------------------------------------------------


class ReportingRound(Base):
    __tablename__ = "rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    opens_on: Mapped[date] = mapped_column(Date, unique=True)
    due_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    # Closed early by a coordinator, or replaced by the next round opened by hand: no more
    # reports, reminders or escalation for it.
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))

    def running(self, today: date) -> bool:
        """Whether people report in this round today: opened, not closed, not past due."""
        return self.closed_at is None and self.opens_on <= today <= self.due_on


class Report(Base):
    """An office's report on a measure in a round: a draft, or a numbered submitted version.

    A draft belongs to the contact filling it in (``author_id``) and has no version yet;
    submitting gives it the next version number of its round, measure and office.
    """

    __tablename__ = "reports"
    __table_args__ = (UniqueConstraint("round_id", "measure_id", "office_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("measures.id"), index=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), index=True)
    version: Mapped[int | None] = mapped_column(Integer)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    indicator_note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A paused draft takes no free text as an answer until the person resumes it.
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The key of the question being changed ("Ändern", /zurueck): asked with its answer
    # kept until a new one is given.
    editing: Mapped[str | None] = mapped_column(String(20))
    # The message that asks the draft's current question, so that it can be collapsed into
    # one line when the answer comes as typed text or a file rather than by its buttons.
    question_message_id: Mapped[int | None] = mapped_column(BigInteger)
    # Entered by a coordinator for an office they do not represent (an answer that came by
    # e-mail or phone): shown as "erfasst von … für …" everywhere.
    on_behalf: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    answers: Mapped[list[TargetAnswer]] = relationship(
        back_populates="report", cascade="all, delete-orphan"
    )


class TargetAnswer(Base):
    """A report's answers about one horizon target."""

    __tablename__ = "target_answers"
    __table_args__ = (UniqueConstraint("report_id", "horizon_target_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"))
    horizon_target_id: Mapped[int] = mapped_column(ForeignKey("horizon_targets.id"), index=True)
    status: Mapped[Status | None] = mapped_column(_enum(Status, "status"))
    carried_over: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str | None] = mapped_column("progress_note", Text)  # what happened
    obstacles: Mapped[tuple[Obstacle, ...] | None] = mapped_column(ObstacleSet)
    obstacle_note: Mapped[str | None] = mapped_column(Text)  # a few words for "Sonstiges"
    support_requested: Mapped[bool | None] = mapped_column(Boolean)
    support_note: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    report: Mapped[Report] = relationship(back_populates="answers")


class EvidenceKind(StrEnum):
    PHOTO = "photo"
    DOCUMENT = "document"
    VOICE = "voice"


class Evidence(Base):
    """A file sent as evidence while reporting: a photo, a document or a voice note.

    It belongs to the measure, office and round of the draft it was sent to (``report_id``)
    and counts once that report is submitted. Telegram's ids let the bot send it again;
    ``stored_path`` (relative to DATA_DIR) is the downloaded copy, so that evidence outlives
    the chat; it is empty where downloading is off or failed.
    """

    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("measures.id"), index=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), index=True)
    question: Mapped[str] = mapped_column(String(20))  # the key of the question it was sent at
    kind: Mapped[EvidenceKind] = mapped_column(_enum(EvidenceKind, "evidence_kind"))
    file_id: Mapped[str] = mapped_column(String(200))
    file_unique_id: Mapped[str] = mapped_column(String(100))
    file_name: Mapped[str | None] = mapped_column(String(255))
    mime_type: Mapped[str | None] = mapped_column(String(100))
    file_size: Mapped[int | None] = mapped_column(BigInteger)
    caption: Mapped[str | None] = mapped_column(Text)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    stored_path: Mapped[str | None] = mapped_column(String(500))
    # failed downloads so far; the schedule tries again a few times (see storage.evidence)
    copy_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class SupportRequest(Base):
    """A contact's request for the coordination's support on a horizon target of a measure.

    Opened when a report asking for support is submitted; it stays open across rounds until
    a coordinator resolves it (a later report asking again adds nothing new). Who took it
    over and who resolved it, when and with which note, stays on the row.
    """

    __tablename__ = "support_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("measures.id"), index=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), index=True)
    horizon_target_id: Mapped[int | None] = mapped_column(ForeignKey("horizon_targets.id"))
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"))  # where it was asked
    requested_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL")
    )
    text: Mapped[str | None] = mapped_column(Text)  # the request in the contact's words
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    taken_by_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL")
    )
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    resolution_note: Mapped[str | None] = mapped_column(Text)


class SupportMessage(Base):
    """A message the bot sent about a support request (the notice to a coordinator or the
    group, or the prompt for a note), so that it can be updated and replies matched."""

    __tablename__ = "support_messages"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    message_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("support_requests.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(10))  # "notice" or "note"


class ProcessedUpdate(Base):
    """Telegram updates already handled, so a re-delivered update changes nothing."""

    __tablename__ = "processed_updates"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    processed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class ReceivedUpdate(Base):
    """Telegram updates received but perhaps not handled yet: the bot's inbox.

    python-telegram-bot confirms updates to Telegram as soon as it fetched them, before
    they are handled; an update is written here first, so that one fetched just before the
    process died is handled after the restart (see :mod:`storage.inbox`).
    """

    __tablename__ = "received_updates"
    __table_args__ = (Index("ix_received_updates_chat", "chat_id", "update_id"),)

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    data: Mapped[str] = mapped_column(Text)  # the update as Telegram sent it (JSON)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    # the chat it came from (None: none, e.g. an inline query), so that a process handles
    # a chat's updates in Telegram's order even when another process received the earlier
    chat_id: Mapped[int | None] = mapped_column(BigInteger)


class LatestReport(Base):
    """The latest submitted report of each office on each measure.

    Kept up to date on every submission so that the current-state views read one row per
    measure and office, however long the history grows. It can always be rebuilt from
    ``reports`` (migration 0003 does so).
    """

    __tablename__ = "latest_reports"

    measure_id: Mapped[int] = mapped_column(ForeignKey("measures.id"), primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"))
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # the value of revisions["reports"] given by the submission that wrote this row
    revision: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0", index=True)


class Revision(Base):
    """Counters bumped in the same transaction as a change, in commit order.

    ``reports`` counts submissions: a cached view that saw revision N only needs the
    latest reports with a higher revision to be current again.
    """

    __tablename__ = "revisions"

    name: Mapped[str] = mapped_column(String(30), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


class Notice(Base):
    """A scheduled message: round openings, reminders, escalations.

    The unique key makes each notice happen once per round (and person), whichever bot
    process gets there first; ``contact_id`` is empty for notices to the coordination.
    ``sent_at`` is when it was claimed (just before sending). A notice to a person keeps
    its message (``chat_id``, ``body``) until ``delivered_at`` is set, so that one whose
    process died before sending it is sent later instead of being lost.
    """

    __tablename__ = "notices"
    __table_args__ = (UniqueConstraint("round_id", "contact_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    chat_id: Mapped[int | None] = mapped_column(BigInteger)
    body: Mapped[str | None] = mapped_column(Text)  # JSON: text and buttons
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # PostgreSQL: the connection name of the process that claimed it, to tell whether that
    # process still lives (see storage.claims.undelivered_notices); SQLite: empty
    claimed_by: Mapped[str | None] = mapped_column(String(64))


class WeeklySummary(Base):
    """The weekly summary of one ISO week in one chat: claimed, posted part by part.

    ``baseline`` keeps the state it reported (JSON), so next week's summary can say what
    changed. A claim older than the lease may be taken over by another process.
    """

    __tablename__ = "weekly_summaries"
    __table_args__ = (UniqueConstraint("iso_year", "iso_week", "chat_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    iso_year: Mapped[int] = mapped_column(Integer)
    iso_week: Mapped[int] = mapped_column(Integer)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    parts_sent: Mapped[int] = mapped_column(Integer, default=0)
    posted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    baseline: Mapped[str | None] = mapped_column(Text)
    claimed_by: Mapped[str | None] = mapped_column(String(64))  # as Notice.claimed_by


class GeneratedSecret(Base):
    """A secret the bot made up itself because no setting gave one (the webhook's secret
    token): kept here so that every process of the bot, and the next start, use the same.
    """

    __tablename__ = "generated_secrets"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
