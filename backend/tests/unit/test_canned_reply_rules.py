"""The rules of canned replies: placeholders from the known set, who sees and changes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from supportdesk.domain.access import Actor, Role
from supportdesk.domain.canned_replies import CannedReply, check_body, placeholders_in
from supportdesk.domain.errors import ValidationFailed

NOW = datetime(2026, 1, 1, tzinfo=UTC)
BOB = Actor("usr_bob", Role.AGENT)
SAM = Actor("usr_sam", Role.SUPERVISOR)
ADMIN = Actor("usr_admin", Role.ADMIN)
ALICE = Actor("usr_alice", Role.CUSTOMER, "CUST-1001")


def reply(*, shared: bool, owner: str = "usr_bob") -> CannedReply:
    return CannedReply("crp_1", "T", "B", shared, None, owner, 1, NOW, NOW)


def test_every_known_placeholder_is_accepted_with_or_without_spaces() -> None:
    body = "{{customer.name}} {{ order.id }} {{case.reference}} {{refund.total}}"
    check_body(body)
    assert placeholders_in(body) == ["customer.name", "order.id", "case.reference", "refund.total"]


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ("Hi {{customer.email}}", "{{customer.email}}"),
        ("{{}}", "{{}}"),
        ("Hi {{Customer.Name}}", "{{Customer.Name}}"),
    ],
)
def test_an_unknown_placeholder_is_refused_naming_it(body: str, named: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        check_body(body)
    assert named in refused.value.detail


@pytest.mark.parametrize("body", ["Hi {{customer.name", "Hi customer.name}}", "{{order.id}} }}"])
def test_a_brace_pair_that_is_not_a_placeholder_is_refused(body: str) -> None:
    with pytest.raises(ValidationFailed):
        check_body(body)


def test_a_personal_reply_is_seen_by_its_owner_only_and_a_shared_one_by_all_staff() -> None:
    assert reply(shared=False).visible_to(BOB)
    assert not reply(shared=False).visible_to(ADMIN)
    assert all(reply(shared=True).visible_to(a) for a in (BOB, SAM, ADMIN))
    assert not reply(shared=True, owner="usr_alice").visible_to(ALICE)


def test_a_shared_reply_is_changed_by_its_owner_or_an_admin() -> None:
    assert reply(shared=True).change_refusal(BOB) is None
    assert reply(shared=True).change_refusal(ADMIN) is None
    assert reply(shared=True).change_refusal(SAM) is not None
    assert reply(shared=False).change_refusal(BOB) is None


def test_the_priorities_rank_from_low_to_urgent() -> None:
    from supportdesk.domain.cases import Priority

    assert sorted(Priority, key=lambda p: p.rank) == [
        Priority.LOW,
        Priority.NORMAL,
        Priority.HIGH,
        Priority.URGENT,
    ]
