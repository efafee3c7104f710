"""The SQLAlchemy models: users, interviews and their people, tasks, applications, clubs."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy import text as sql_text
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncAttrs
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as UTC and hands them back aware, on SQLite too."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(AsyncAttrs, DeclarativeBase):
    """Base class of every model."""

    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime, dict[str, Any]: JSON}


class User(Base):
    """A person who talks to the bot, with their language, zone and nudge preferences."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    first_name: Mapped[str] = mapped_column(String(128), default="")
    # the language the user chose with /language; None means "follow Telegram's setting"
    language: Mapped[str | None] = mapped_column(String(16), default=None)
    telegram_language: Mapped[str | None] = mapped_column(String(16), default=None)
    timezone: Mapped[str | None] = mapped_column(String(64), default=None)
    country: Mapped[str | None] = mapped_column(String(2), default=None)
    nudge_hour: Mapped[int] = mapped_column(Integer, default=9)
    quiet_hour: Mapped[int] = mapped_column(Integer, default=21)
    keep_applying_days: Mapped[int] = mapped_column(Integer, default=3)
    daily_nudge_cap: Mapped[int] = mapped_column(Integer, default=3)
    weekly_goal: Mapped[int | None] = mapped_column(Integer, default=None)
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    # how many nudge messages went out on the user's local day `nudge_day`, for the daily cap
    nudge_day: Mapped[date | None] = mapped_column(Date, default=None)
    nudges_on_day: Mapped[int] = mapped_column(Integer, default=0)
    reachable: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    interviews: Mapped[list[Interview]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )


class Club(Base):
    """A job club: a Telegram group the bot was added to. Its id is the group's chat id (a
    group upgraded to a supergroup moves its rows to the new id)."""

    __tablename__ = "clubs"
    __table_args__ = (Index("ix_clubs_next_checkin", "active", "next_checkin_at"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    title: Mapped[str] = mapped_column(String(256), default="")
    # the language and zone of the club's posts; None: the language of whoever added the bot, UTC
    language: Mapped[str | None] = mapped_column(String(16), default=None)
    timezone: Mapped[str | None] = mapped_column(String(64), default=None)
    celebrate_offers: Mapped[bool] = mapped_column(Boolean, default=True)
    buddies: Mapped[bool] = mapped_column(Boolean, default=True)
    # the weekly check-in: weekday (Monday 0) and hour in the club's zone
    checkin_weekday: Mapped[int] = mapped_column(Integer, default=0)
    checkin_hour: Mapped[int] = mapped_column(Integer, default=18)
    # the forum topic the club was set up in; None: the group's general chat
    thread_id: Mapped[int | None] = mapped_column(BigInteger, default=None)
    # False while the bot is not in the group (removed or banned): nothing is posted, data kept
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    added_by: Mapped[int | None] = mapped_column(BigInteger, default=None)
    # the next check-in moment (UTC), recomputed whenever the schedule or the zone changes
    next_checkin_at: Mapped[datetime | None] = mapped_column(default=None)
    last_checkin_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime]


class ClubMember(Base):
    """A user's membership in a club and what they chose to share with it."""

    __tablename__ = "club_members"
    __table_args__ = (
        UniqueConstraint("club_id", "user_id"),
        Index("ix_club_members_user", "user_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    club_id: Mapped[int] = mapped_column(ForeignKey("clubs.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # companies, roles and outcomes on this club's board and posts; off until the member says so
    share_companies: Mapped[bool] = mapped_column(Boolean, default=False)
    # an offer of theirs is celebrated in this club (only when the club has celebrations on)
    celebrate: Mapped[bool] = mapped_column(Boolean, default=False)
    # willing to be paired with a buddy, and the buddy (a user id) once paired
    wants_buddy: Mapped[bool] = mapped_column(Boolean, default=False)
    buddy_id: Mapped[int | None] = mapped_column(BigInteger, default=None)
    # when they last answered this club's goal question, and when they were reminded to
    goal_set_at: Mapped[datetime | None] = mapped_column(default=None)
    goal_reminded_at: Mapped[datetime | None] = mapped_column(default=None)
    joined_at: Mapped[datetime]


class ClubPost(Base):
    """A message the bot owes a club (or one of its members in private): the weekly check-in,
    a celebration, a buddy's summary, a goal reminder. Written in the transaction that decides
    it, sent after the commit, so a crash or a failed send never loses or doubles one."""

    __tablename__ = "club_posts"
    __table_args__ = (
        UniqueConstraint("club_id", "chat_id", "kind", "key"),
        Index("ix_club_posts_pending", "state", "due_at"),
        Index("ix_club_posts_message", "club_id", "message_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    club_id: Mapped[int] = mapped_column(ForeignKey("clubs.id", ondelete="CASCADE"))
    # the group's chat id, or a member's user id for a private message
    chat_id: Mapped[int] = mapped_column(BigInteger)
    # checkin, celebration, buddy, goal_reminder
    kind: Mapped[str] = mapped_column(String(16))
    # what makes it unique within its kind: the check-in's moment, an interview id…
    key: Mapped[str] = mapped_column(String(64))
    # the check-in's week: from the previous check-in to this one
    period_start: Mapped[datetime | None] = mapped_column(default=None)
    period_end: Mapped[datetime | None] = mapped_column(default=None)
    text: Mapped[str] = mapped_column(String(8192), default="")
    markup: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    # pending, sending (claimed), sent, failed (refused for good)
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    due_at: Mapped[datetime]
    claimed_at: Mapped[datetime | None] = mapped_column(default=None)
    sent_at: Mapped[datetime | None] = mapped_column(default=None)
    message_id: Mapped[int | None] = mapped_column(BigInteger, default=None)
    created_at: Mapped[datetime]


class ClubReport(Base):
    """A member's line to the club, sent as a reply to a check-in post."""

    __tablename__ = "club_reports"
    __table_args__ = (UniqueConstraint("post_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("club_posts.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(String(1000))
    created_at: Mapped[datetime]


class ClubLead(Base):
    """A job lead a member shared with the club."""

    __tablename__ = "club_leads"
    __table_args__ = (Index("ix_club_leads_club_when", "club_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    club_id: Mapped[int] = mapped_column(ForeignKey("clubs.id", ondelete="CASCADE"))
    # who shared it; None once they deleted their data (the lead stays the club's)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    company: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(200), default="")
    link: Mapped[str] = mapped_column(String(2048), default="")
    message_id: Mapped[int | None] = mapped_column(BigInteger, default=None)
    created_at: Mapped[datetime]


class Interview(Base):
    """One interview, past or upcoming."""

    __tablename__ = "interviews"
    __table_args__ = (Index("ix_interviews_user_when", "user_id", "scheduled_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    club_id: Mapped[int | None] = mapped_column(
        ForeignKey("clubs.id", ondelete="SET NULL"), default=None
    )
    company: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(200))
    scheduled_at: Mapped[datetime]
    # False when the user gave only a day: then no time is shown and noon local is stored
    time_known: Mapped[bool] = mapped_column(Boolean, default=True)
    format: Mapped[str] = mapped_column(String(16))
    # week | two_weeks | month | date | unknown
    response_timeframe: Mapped[str] = mapped_column(String(16), default="unknown")
    response_by: Mapped[date | None] = mapped_column(Date, default=None)
    # good | unsure | unlikely
    feeling: Mapped[str] = mapped_column(String(16), default="unsure")
    # awaiting | offer | rejected | next_round | withdrawn | ghosted
    outcome: Mapped[str] = mapped_column(String(16), default="awaiting")
    outcome_at: Mapped[datetime | None] = mapped_column(default=None)
    # an offer: the day the user must answer it by (None: not said), and when they accepted it
    decide_by: Mapped[date | None] = mapped_column(Date, default=None)
    offer_accepted_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    user: Mapped[User] = relationship(back_populates="interviews")
    interviewers: Mapped[list[Interviewer]] = relationship(
        back_populates="interview",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="Interviewer.position",
    )


class Interviewer(Base):
    """A person who interviewed the user; each gets their own thank-you."""

    __tablename__ = "interviewers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    interview_id: Mapped[int] = mapped_column(ForeignKey("interviews.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(200), default="")
    contact: Mapped[str] = mapped_column(String(200), default="")

    interview: Mapped[Interview] = relationship(back_populates="interviewers")


class Task(Base):
    """Something the user should do, with when it is due and where its nudging stands."""

    __tablename__ = "tasks"
    __table_args__ = (
        Index("ix_tasks_due", "state", "next_nudge_at"),
        Index("ix_tasks_user", "user_id", "state"),
        UniqueConstraint("interview_id", "kind", "interviewer_id", "cycle", name="uq_task_plan"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    interview_id: Mapped[int | None] = mapped_column(
        ForeignKey("interviews.id", ondelete="CASCADE"), default=None
    )
    interviewer_id: Mapped[int | None] = mapped_column(
        ForeignKey("interviewers.id", ondelete="CASCADE"), default=None
    )
    # thank_you | check_in | references | keep_applying | before_you_leave | courtesy | ...
    kind: Mapped[str] = mapped_column(String(32))
    # recurring kinds count their cycles so each cycle is its own row
    cycle: Mapped[int] = mapped_column(Integer, default=0)
    # pending | sent | snoozed | done | skipped | cancelled
    state: Mapped[str] = mapped_column(String(16), default="pending")
    due_at: Mapped[datetime]
    next_nudge_at: Mapped[datetime | None] = mapped_column(default=None)
    nudges_sent: Mapped[int] = mapped_column(Integer, default=0)
    last_nudged_at: Mapped[datetime | None] = mapped_column(default=None)
    # the nudge message that shows this task, so a tap can re-render it
    message_id: Mapped[int | None] = mapped_column(BigInteger, default=None)
    claimed_until: Mapped[datetime | None] = mapped_column(default=None)
    claim_token: Mapped[str | None] = mapped_column(String(36), default=None)
    done_at: Mapped[datetime | None] = mapped_column(default=None)
    done_via: Mapped[str | None] = mapped_column(String(16), default=None)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Application(Base):
    """A job application the user sent while waiting."""

    __tablename__ = "applications"
    __table_args__ = (
        Index("ix_applications_user_when", "user_id", "applied_at"),
        UniqueConstraint("user_id", "lead_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    company: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(200), default="")
    applied_at: Mapped[datetime]
    # the club lead it answers, when logged with a lead's "I applied" (once per lead and user)
    lead_id: Mapped[int | None] = mapped_column(
        ForeignKey("club_leads.id", ondelete="SET NULL"), default=None
    )


class Reference(Base):
    """Someone who vouches for the user."""

    __tablename__ = "references"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    relation: Mapped[str] = mapped_column(String(200), default="")
    contact: Mapped[str] = mapped_column(String(200), default="")
    # what to remember about them: the best time to call, which work they can speak to
    note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime]


class ReferenceWarning(Base):
    """That a reference was given a heads-up for a given interview."""

    __tablename__ = "reference_warnings"
    __table_args__ = (UniqueConstraint("reference_id", "interview_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference_id: Mapped[int] = mapped_column(ForeignKey("references.id", ondelete="CASCADE"))
    interview_id: Mapped[int] = mapped_column(ForeignKey("interviews.id", ondelete="CASCADE"))
    warned_at: Mapped[datetime]


class ConversationRecord(Base):
    """Where a conversation with a user stands, so a restart does not lose it."""

    __tablename__ = "conversation_records"
    __table_args__ = (UniqueConstraint("name", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(128))
    state: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime]


class UserDataRecord(Base):
    """The draft a user is in the middle of (an interview being logged, say)."""

    __tablename__ = "user_data_records"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime]


class SendSlot(Base):
    """One request to Telegram counted against the budget that replicas share (PostgreSQL only):
    it holds its slot from the moment it is let through until a period after its answer."""

    __tablename__ = "send_slots"
    __table_args__ = (Index("ix_send_slots_scope_taken", "scope", "taken_at"),)

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True
    )
    # "all" for the overall budget, "chat:<id>" for a group's
    scope: Mapped[str] = mapped_column(String(40))
    taken_at: Mapped[datetime]
    freed_at: Mapped[datetime | None]


class ReceivedUpdate(Base):
    """An update the webhook took, by Telegram's update_id: one Telegram posts again (our 200 was
    lost on the way) is answered and dropped, on whichever replica it lands; a user's next
    update, taken by another replica, waits until this one is handled; and one whose replica
    died holding it is handled by another (bot/web/received.py)."""

    __tablename__ = "received_updates"
    __table_args__ = (
        Index("ix_received_updates_received_at", "received_at"),
        Index("ix_received_updates_user", "user_id", "update_id"),
        Index(
            "ix_received_updates_unhandled",
            "held_until",
            sqlite_where=sql_text("handled_at IS NULL"),
            postgresql_where=sql_text("handled_at IS NULL"),
        ),
    )

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    received_at: Mapped[datetime]
    # the person the update is from (None for the few with no one, such as a poll's end)
    user_id: Mapped[int | None] = mapped_column(BigInteger)
    handled_at: Mapped[datetime | None]
    # the update as Telegram posted it, kept until it is handled (then cleared)
    payload: Mapped[str | None] = mapped_column(Text)
    # the replica holding it renews this while the update waits or runs; once it has passed,
    # the replica is taken for dead and another may handle the update
    held_until: Mapped[datetime | None]
