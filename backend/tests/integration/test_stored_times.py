"""Times are stored as UTC and read back as the same moment, aware, on SQLite too, where
the column holds text and ``UTCDateTime`` reads it in one step of its own."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Column, Integer, MetaData, Table, create_engine, insert, select, text
from sqlalchemy.engine import processors

from supportdesk.infrastructure.db.models import UTCDateTime

_metadata = MetaData()
_times = Table(
    "times", _metadata, Column("id", Integer, primary_key=True), Column("at", UTCDateTime)
)
_engine = create_engine("sqlite://")
_metadata.create_all(_engine)

moments = st.datetimes(
    min_value=datetime(1970, 1, 2),
    max_value=datetime(9998, 12, 30),
    timezones=st.sampled_from(
        [UTC, timezone(timedelta(hours=14)), timezone(-timedelta(hours=9, minutes=30))]
    ),
)


@given(moments)
def test_a_stored_moment_is_read_back_as_the_same_moment_in_utc(moment: datetime) -> None:
    with _engine.begin() as connection:
        connection.execute(_times.delete())
        connection.execute(insert(_times).values(id=1, at=moment))
        stored = connection.execute(text("SELECT at FROM times")).scalar_one()
        read = connection.execute(select(_times.c.at)).scalar_one()
    assert read == moment
    assert read.tzinfo is UTC
    # The same as the dialect's own parser gives, made aware.
    assert read == processors.str_to_datetime(stored).replace(tzinfo=UTC)


def test_sqlites_own_timestamps_read_as_utc() -> None:
    """``CURRENT_TIMESTAMP`` (server defaults) writes seconds only, in UTC."""
    with _engine.begin() as connection:
        connection.execute(_times.delete())
        connection.execute(text("INSERT INTO times (id, at) VALUES (1, '2026-12-03 10:00:00')"))
        connection.execute(text("INSERT INTO times (id, at) VALUES (2, NULL)"))
        read = connection.execute(select(_times.c.at).order_by(_times.c.id)).scalars().all()
    assert read == [datetime(2026, 12, 3, 10, tzinfo=UTC), None]


def test_text_with_an_offset_is_read_as_that_moment_in_utc() -> None:
    """Not what the column writes, but what a hand-made row or an import may hold."""
    with _engine.begin() as connection:
        connection.execute(_times.delete())
        connection.execute(
            text("INSERT INTO times (id, at) VALUES (1, '2026-12-03 12:00:00+02:00')")
        )
        read = connection.execute(select(_times.c.at)).scalar_one()
    assert read == datetime(2026, 12, 3, 10, tzinfo=UTC)
    assert read.tzinfo is UTC
