"""What a customer sees of each history event is the domain's rule, in one place."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from supportdesk.domain.access import Actor, Role
from supportdesk.domain.events import SUPPORT_TEAM, EntityKind, Event, new_event

AGENT = Actor(id="usr_bob", role=Role.AGENT)
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def event(type: str, note: str | None, *, note_public: bool) -> Event:
    return new_event(
        actor=AGENT,
        at=NOW,
        entity=EntityKind.SUPPORT_CASE,
        entity_id="case_1",
        case_id="case_1",
        type=type,
        note=note,
        note_public=note_public,
    )


def test_an_internal_note_on_a_change_is_cut_and_the_change_kept() -> None:
    seen = event("status_changed", "for colleagues", note_public=False).for_customer()
    assert seen is not None
    assert seen.type == "status_changed"
    assert seen.note is None


def test_an_internal_note_that_is_the_whole_event_is_not_shown_at_all() -> None:
    assert event("note", "for colleagues", note_public=False).for_customer() is None


def test_an_internal_message_is_never_shown_even_without_a_note() -> None:
    assert event("internal_note_added", None, note_public=True).for_customer() is None


def test_a_public_note_is_shown_as_written_and_the_staff_member_as_the_support_team() -> None:
    public = event("refund_rejected", "not returned", note_public=True)
    assert public.for_customer() == replace(public, actor_id=SUPPORT_TEAM, actor_role=SUPPORT_TEAM)


def test_a_customers_own_event_is_shown_as_it_is() -> None:
    own = new_event(
        actor=Actor(id="CUST-1001", role=Role.CUSTOMER),
        at=NOW,
        entity=EntityKind.SUPPORT_CASE,
        entity_id="case_1",
        case_id="case_1",
        type="message_added",
        note=None,
    )
    assert own.for_customer() == own


def test_the_systems_notes_on_its_own_workings_are_cut_and_the_step_kept() -> None:
    """Attempts, gateway ids, a bank's failure code: what the refund page says in words."""
    for type, note in [
        ("execution_started", "attempt 1"),
        ("refund_succeeded", "gateway refund re_123"),
        ("refund_reversed", "the money came back from the customer's bank: lost_card"),
    ]:
        seen = event(type, note, note_public=True).for_customer()
        assert seen is not None
        assert (seen.type, seen.note) == (type, None)
