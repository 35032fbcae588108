"""Which mails an event means: the rule, without a database or a server."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from supportdesk.domain.access import Role
from supportdesk.domain.events import EntityKind, Event
from supportdesk.domain.notifications import (
    CaseFacts,
    MailFacts,
    MailPolicy,
    NotificationSettings,
    Person,
    RefundFacts,
    StaffMember,
    mails_for,
)

NOW = datetime(2026, 5, 1, tzinfo=UTC)
ALICE = Person("usr_alice", "alice@example.com", "Alice Martin")
BOB = Person("usr_bob", "bob@example.com", "Bob")
SAM = Person("usr_sam", "sam@example.com", "Sam")
ADMIN = Person("usr_admin", "admin@example.com", "Admin")


def event(
    type: str,
    *,
    actor: Person = BOB,
    role: Role = Role.AGENT,
    entity: EntityKind = EntityKind.SUPPORT_CASE,
    to_status: str | None = None,
    note: str | None = None,
    note_public: bool = True,
) -> Event:
    return Event(
        id="evt_1",
        at=NOW,
        actor_id=actor.id,
        actor_role=role.value,
        entity=entity,
        entity_id="rf_1" if entity is EntityKind.REFUND else "case_1",
        case_id="case_1",
        type=type,
        from_status=None,
        to_status=to_status,
        note=note,
        note_public=note_public,
    )


def facts(
    *,
    assignee: str | None = "usr_bob",
    refund_total: int | None = None,
    message_body: str | None = None,
    bob: NotificationSettings | None = None,
    sam: NotificationSettings | None = None,
) -> MailFacts:
    return MailFacts(
        case=CaseFacts("case_1", "CUST-1001", "Broken mug", "open", assignee),
        refund=None if refund_total is None else RefundFacts("rf_1", refund_total, "EUR", "r"),
        message_body=message_body,
        customers=(ALICE,),
        staff=(
            StaffMember(ADMIN, Role.ADMIN),
            StaffMember(BOB, Role.AGENT, bob or NotificationSettings()),
            StaffMember(SAM, Role.SUPERVISOR, sam or NotificationSettings()),
        ),
    )


def sent(mails: list) -> list[tuple[str, str]]:
    return sorted((m.template, m.recipient.email) for m in mails)


POLICY = MailPolicy(customer_mail_enabled=True, supervisor_threshold=50000)


class TestCustomerMails:
    def test_opening_a_case_acknowledges_it_to_the_customer_who_opened_it(self) -> None:
        opened = event("case_opened", actor=ALICE, role=Role.CUSTOMER, to_status="open")
        assert sent(mails_for(opened, facts(), POLICY)) == [("case_opened", "alice@example.com")]

    def test_a_public_staff_reply_is_mailed_to_the_customer(self) -> None:
        reply = event("message_added")
        assert sent(mails_for(reply, facts(message_body="Hi"), POLICY)) == [
            ("staff_reply", "alice@example.com")
        ]

    def test_an_internal_note_is_never_mailed_to_anybody(self) -> None:
        note = event("internal_note_added")
        assert mails_for(note, facts(message_body="secret"), POLICY) == []

    def test_a_message_that_is_not_public_is_not_mailed(self) -> None:
        assert mails_for(event("message_added"), facts(message_body=None), POLICY) == []

    def test_a_staff_only_note_alone_is_not_mailed(self) -> None:
        note = event("note", note="escalate", note_public=False)
        assert mails_for(note, facts(), POLICY) == []

    def test_waiting_on_you_and_resolved_are_mailed_without_the_staff_note(self) -> None:
        for status, template in (
            ("waiting_on_customer", "waiting_on_customer"),
            ("resolved", "case_resolved"),
        ):
            moved = event("status_changed", to_status=status, note="for staff", note_public=False)
            [mail] = mails_for(moved, facts(), POLICY)
            assert (mail.template, mail.recipient) == (template, ALICE)
            assert mail.event.note is None

    def test_other_status_changes_are_not_mailed_to_the_customer(self) -> None:
        assert mails_for(event("status_changed", to_status="in_progress"), facts(), POLICY) == []

    def test_every_refund_step_is_mailed_to_the_customer(self) -> None:
        for type, template in (
            ("refund_approved", "refund_approved"),
            ("refund_succeeded", "refund_refunded"),
            ("refund_failed", "refund_failed"),
            ("refund_rejected", "refund_rejected"),
            ("refund_settled", "refund_settled"),
        ):
            step = event(type, entity=EntityKind.REFUND)
            assert sent(mails_for(step, facts(refund_total=100), POLICY)) == [
                (template, "alice@example.com")
            ], type

    def test_starting_a_gateway_attempt_is_not_mailed(self) -> None:
        started = event("execution_started", entity=EntityKind.REFUND)
        assert mails_for(started, facts(refund_total=100), POLICY) == []

    def test_the_shop_can_switch_customer_mails_off(self) -> None:
        off = MailPolicy(customer_mail_enabled=False)
        assert mails_for(event("message_added"), facts(message_body="Hi"), off) == []

    def test_the_customer_gets_no_mail_about_closing_their_own_case(self) -> None:
        closed = event("status_changed", actor=ALICE, role=Role.CUSTOMER, to_status="closed")
        assert mails_for(closed, facts(), POLICY) == []


class TestStaffMails:
    def test_a_customer_reply_goes_to_the_assignee(self) -> None:
        reply = event("message_added", actor=ALICE, role=Role.CUSTOMER)
        assert sent(mails_for(reply, facts(message_body="Thanks"), POLICY)) == [
            ("customer_reply", "bob@example.com")
        ]

    def test_the_assignee_may_turn_case_replies_off(self) -> None:
        reply = event("message_added", actor=ALICE, role=Role.CUSTOMER)
        quiet = facts(message_body="Thanks", bob=NotificationSettings(case_replies=False))
        assert mails_for(reply, quiet, POLICY) == []

    def test_a_reply_on_an_unassigned_case_goes_to_nobody(self) -> None:
        reply = event("message_added", actor=ALICE, role=Role.CUSTOMER)
        assert mails_for(reply, facts(assignee=None, message_body="x"), POLICY) == []

    def test_new_unassigned_cases_reach_only_staff_who_opted_in(self) -> None:
        opened = event("case_opened", actor=ALICE, role=Role.CUSTOMER, to_status="open")
        opted = facts(assignee=None, sam=NotificationSettings(new_unassigned=True))
        assert sent(mails_for(opened, opted, POLICY)) == [
            ("case_opened", "alice@example.com"),
            ("new_case", "sam@example.com"),
        ]

    def test_a_refund_above_the_threshold_asks_supervisors_and_admins(self) -> None:
        requested = event(
            "refund_requested", actor=ALICE, role=Role.CUSTOMER, entity=EntityKind.REFUND
        )
        assert sent(mails_for(requested, facts(refund_total=50001), POLICY)) == [
            ("refund_requested", "alice@example.com"),
            ("supervisor_approval", "admin@example.com"),
            ("supervisor_approval", "sam@example.com"),
        ]

    def test_a_refund_at_the_threshold_needs_no_supervisor(self) -> None:
        requested = event(
            "refund_requested", actor=ALICE, role=Role.CUSTOMER, entity=EntityKind.REFUND
        )
        assert sent(mails_for(requested, facts(refund_total=50000), POLICY)) == [
            ("refund_requested", "alice@example.com")
        ]

    def test_a_supervisor_asked_to_approve_gets_one_mail_not_two(self) -> None:
        requested = event(
            "refund_requested", actor=ALICE, role=Role.CUSTOMER, entity=EntityKind.REFUND
        )
        both = facts(
            assignee=None, refund_total=90000, sam=NotificationSettings(new_unassigned=True)
        )
        to_sam = [m.template for m in mails_for(requested, both, POLICY) if m.recipient == SAM]
        assert to_sam == ["supervisor_approval"]

    def test_nobody_is_mailed_about_their_own_action(self) -> None:
        # Sam opened nothing, but say a supervisor requested with a staff account: the
        # approval request about it does not go back to them.
        requested = event(
            "refund_requested", actor=SAM, role=Role.SUPERVISOR, entity=EntityKind.REFUND
        )
        mails = mails_for(requested, facts(refund_total=90000), POLICY)
        assert SAM not in [m.recipient for m in mails]

    def test_customer_mail_switch_leaves_staff_mails_alone(self) -> None:
        reply = event("message_added", actor=ALICE, role=Role.CUSTOMER)
        off = replace(POLICY, customer_mail_enabled=False)
        assert sent(mails_for(reply, facts(message_body="x"), off)) == [
            ("customer_reply", "bob@example.com")
        ]
