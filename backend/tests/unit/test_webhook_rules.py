"""The rules of webhooks: which history events announce what, how long we keep trying, which
addresses an endpoint may not be on, and which secrets sign."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from supportdesk.application.webhooks import AddressRule
from supportdesk.domain.access import SYSTEM
from supportdesk.domain.events import EntityKind, Event, new_event
from supportdesk.domain.webhooks import (
    EVENT_TYPES,
    ROTATION_OVERLAP,
    SigningSecrets,
    WebhookRetrySchedule,
    announced_type,
    delivery_state,
    is_public_address,
    subscribed,
    unknown_event_types,
)

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def event(
    entity: EntityKind, type: str, source: str | None = None, target: str | None = None
) -> Event:
    return new_event(
        actor=SYSTEM,
        at=NOW,
        entity=entity,
        entity_id="x",
        case_id="c",
        type=type,
        from_status=source,
        to_status=target,
    )


CASE, REFUND = EntityKind.SUPPORT_CASE, EntityKind.REFUND


@pytest.mark.parametrize(
    ("history", "announced"),
    [
        (event(CASE, "case_opened", None, "open"), "support_case.created"),
        (event(CASE, "status_changed", "open", "in_progress"), "support_case.updated"),
        (event(CASE, "status_changed", "resolved", "closed"), "support_case.closed"),
        (event(CASE, "priority_changed"), "support_case.updated"),
        (event(CASE, "assigned"), "support_case.updated"),
        (event(CASE, "message_added"), "message.created"),
        (event(CASE, "internal_note_added"), None),
        (event(CASE, "note"), None),
        (event(CASE, "sla_breached"), "support_case.sla_breached"),
        (event(REFUND, "refund_requested", None, "requested"), "refund.requested"),
        (event(REFUND, "approved", "requested", "approved"), "refund.approved"),
        (event(REFUND, "execution_started", "approved", "processing"), "refund.processing"),
        (event(REFUND, "refund_succeeded", "processing", "refunded"), "refund.refunded"),
        (event(REFUND, "settled", "failed", "settled"), "refund.settled"),
        (event(REFUND, "note"), None),
    ],
)
def test_each_history_event_announces_at_most_one_type(
    history: Event, announced: str | None
) -> None:
    assert announced_type(history) == announced


def test_every_announced_type_is_one_an_endpoint_can_subscribe_to() -> None:
    assert len(EVENT_TYPES) == 13
    assert unknown_event_types(["refund.refunded", "refund.exploded"]) == ["refund.exploded"]


def test_an_endpoint_naming_no_types_gets_every_type() -> None:
    assert subscribed([], "refund.failed")
    assert subscribed(["refund.failed"], "refund.failed")
    assert not subscribed(["refund.refunded"], "refund.failed")


class TestRetrySchedule:
    def test_tries_for_about_three_days_then_gives_up(self) -> None:
        schedule = WebhookRetrySchedule()
        assert timedelta(days=2.5) < schedule.span() < timedelta(days=3.5)
        assert schedule.max_attempts == 10
        assert schedule.next_attempt(9, NOW) is not None
        assert schedule.next_attempt(10, NOW) is None

    def test_the_first_retry_comes_within_seconds_and_the_waits_grow(self) -> None:
        schedule = WebhookRetrySchedule()
        waits = [schedule.next_attempt(n, NOW) - NOW for n in range(1, 10)]  # type: ignore[operator]
        assert waits[0] == timedelta(seconds=5)
        assert waits == sorted(waits)

    def test_a_permanent_failure_is_not_retried(self) -> None:
        assert WebhookRetrySchedule().next_attempt(1, NOW, permanent=True) is None

    def test_knows_which_try_is_the_last(self) -> None:
        schedule = WebhookRetrySchedule((0.0, 0.0))
        assert not schedule.is_last(1)
        assert schedule.is_last(2)


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.215.14", True),
        ("2606:2800:21f:cb07:6820:80da:af6b:8b2c", True),
        ("127.0.0.1", False),
        ("::1", False),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.0.10", False),
        ("169.254.169.254", False),  # cloud metadata
        ("100.64.0.1", False),  # carrier-grade NAT
        ("0.0.0.0", False),
        ("::ffff:127.0.0.1", False),  # loopback dressed as IPv6
        ("fd00::1", False),
        ("224.0.0.1", False),
    ],
)
def test_only_internet_addresses_are_public(address: str, public: bool) -> None:
    assert is_public_address(address) is public


class TestAddressRule:
    def test_refuses_this_machine_and_private_addresses_when_not_allowed(self) -> None:
        rule = AddressRule(allow_private=False)
        assert rule.refusal("localhost") is not None
        assert rule.refusal("api.localhost") is not None
        assert rule.refusal("10.0.0.1") is not None
        assert rule.refusal("[::1]") is not None
        assert rule.refusal("shop.example") is None  # a name: checked when resolved

    def test_allows_everything_where_allowed(self) -> None:
        assert AddressRule(allow_private=True).refusal("127.0.0.1") is None


class TestSigningSecrets:
    def test_after_a_rotation_both_secrets_sign_until_the_overlap_ends(self) -> None:
        secrets = SigningSecrets("new", previous="old", previous_until=NOW + ROTATION_OVERLAP)
        assert secrets.valid(NOW) == ["new", "old"]
        assert secrets.valid(NOW + ROTATION_OVERLAP) == ["new"]

    def test_without_a_rotation_one_secret_signs(self) -> None:
        assert SigningSecrets("only").valid(NOW) == ["only"]


@pytest.mark.parametrize(
    ("state", "attempts", "shown"),
    [
        ("pending", 0, "pending"),
        ("pending", 2, "failed"),
        ("delivered", 1, "delivered"),
        ("dead", 10, "dead"),
    ],
)
def test_the_log_calls_a_pending_row_that_was_tried_failed(
    state: str, attempts: int, shown: str
) -> None:
    assert delivery_state(state, attempts) == shown
