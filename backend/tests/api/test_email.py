"""Email, end to end: real HTTP actions through the app write history events; each event,
handed to the email channel as the outbox would hand it, mails the right people through a
real SMTP server (aiosmtpd) started by the test."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiosmtpd.smtp import SMTP, Envelope, Session
from sqlalchemy import select

from supportdesk.application.outbox import DeliveryFailed, OutboxItem
from supportdesk.bootstrap import Container
from supportdesk.infrastructure.db.mapping import event_from_record
from supportdesk.infrastructure.db.models import EventRecord
from supportdesk.infrastructure.mail.channel import EmailChannel
from supportdesk.infrastructure.mail.render import TEMPLATES, MailRenderer
from tests.conftest import TEST_REDIS_URL, make_settings
from tests.factories import open_case, request_refund

SECRET_NOTE = "SECRET-INTERNAL-NOTE-7d1f"
STAFF_PATCH_NOTE = "STAFF-ONLY-PATCH-NOTE-93ab"
BASE = "https://shop.example"


class SmtpSink:
    """An SMTP server's handler: keeps what it accepts; refuses or defers chosen mailboxes."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.refuse: set[str] = set()
        self.defer: set[str] = set()
        self.port = 0
        self.server: asyncio.Server | None = None

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address.lower() in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        if address.lower() in self.defer:
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or envelope.content or b""
        assert isinstance(raw, bytes)
        self.messages.append(message_from_bytes(raw, policy=policy.default))  # type: ignore[arg-type]
        return "250 OK"


@pytest.fixture
async def smtp_sink() -> AsyncIterator[SmtpSink]:
    loop = asyncio.get_running_loop()
    sink = SmtpSink()
    sink.server = await loop.create_server(
        lambda: SMTP(sink, hostname="sink.test", loop=loop), "127.0.0.1", 0
    )
    sink.port = sink.server.sockets[0].getsockname()[1]
    yield sink
    sink.server.close()
    await sink.server.wait_closed()


@pytest.fixture
async def container(
    database_url: str, smtp_sink: SmtpSink, settings_overrides: dict[str, Any]
) -> AsyncIterator[Container]:
    container = Container.build(
        make_settings(
            database_url,
            smtp_url=f"smtp://127.0.0.1:{smtp_sink.port}",
            public_base_url=BASE,
            support_address="support@shop.example",
            mail_from="help@shop.example",
            shop_name="Mug Shop",
            dispatcher_in_serve=False,
            **settings_overrides,
        )
    )
    if TEST_REDIS_URL:
        import redis.asyncio as aioredis

        redis = aioredis.from_url(TEST_REDIS_URL)
        await redis.flushdb()
        await redis.aclose()
    yield container
    await container.aclose()


class Outbox:
    """The outbox as these tests drive it: ``deliver`` runs the dispatcher over the due rows;
    ``new_items`` hands events straight to a channel, for tests of the channel alone."""

    def __init__(self, container: Container) -> None:
        self.container = container
        self.handed: set[str] = set()

    @property
    def channel(self) -> EmailChannel:
        channel = self.container.channels["email"]
        assert isinstance(channel, EmailChannel)
        return channel

    async def new_items(self) -> list[OutboxItem]:
        async with self.container.database.read_sessions()() as session:
            rows = (await session.scalars(select(EventRecord).order_by(EventRecord.seq))).all()
            items = []
            for row in rows:
                if row.id in self.handed:
                    continue
                self.handed.add(row.id)
                items.append(
                    OutboxItem(
                        id=row.seq, channel="email", event=event_from_record(row), attempts=0
                    )
                )
        return items

    async def deliver(self) -> None:
        """What the dispatcher has due, through the real dispatcher (the app's own runs
        only in ``serve``: these tests turn it off to know when mail has gone)."""
        dispatcher = self.container.dispatcher()
        while await dispatcher.dispatch_once():
            pass


class Inbox:
    def __init__(self, sink: SmtpSink) -> None:
        self.sink = sink
        self.read = 0

    def new(self) -> list[tuple[str, str]]:
        """(recipient, subject) of the mails that arrived since the last look."""
        fresh = self.sink.messages[self.read :]
        self.read = len(self.sink.messages)
        return sorted((_to(m), str(m["Subject"]).strip()) for m in fresh)


def _to(message: EmailMessage) -> str:
    return message["To"].addresses[0].addr_spec


def _text(message: EmailMessage) -> str:
    plain = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert plain is not None and html is not None, "every mail has a text and an HTML part"
    return plain.get_content() + html.get_content()


async def act(client: httpx.AsyncClient, method: str, url: str, headers: Any, **kw: Any) -> Any:
    response = await client.request(method, f"/api/v1{url}", headers=headers, **kw)
    assert response.status_code in (200, 201), response.text
    return response.json()


class TestEveryMailOnceToTheRightPerson:
    async def test_a_case_and_its_refunds_mail_customer_and_staff_as_the_rules_say(
        self, client: httpx.AsyncClient, as_user, container: Container, smtp_sink: SmtpSink
    ) -> None:
        alice, bob, sam = await as_user("alice"), await as_user("bob"), await as_user("sam")
        outbox, inbox = Outbox(container), Inbox(smtp_sink)

        async def mails() -> list[tuple[str, str]]:
            await outbox.deliver()
            return inbox.new()

        case = await open_case(client, alice, subject="Broken headphones")
        cid = case["id"]
        assert await mails() == [
            ("alice@example.com", "We received your request: Broken headphones")
        ]

        await act(client, "PATCH", f"/support-cases/{cid}", bob, json={"assignee_id": "usr_bob"})
        assert await mails() == []

        await act(client, "POST", f"/support-cases/{cid}/messages", bob, json={"body": "A photo?"})
        assert await mails() == [("alice@example.com", "New reply: Broken headphones")]

        await act(
            client,
            "POST",
            f"/support-cases/{cid}/messages",
            bob,
            json={"body": SECRET_NOTE, "internal": True},
        )
        assert await mails() == []

        await act(
            client,
            "PATCH",
            f"/support-cases/{cid}",
            bob,
            json={"status": "waiting_on_customer", "note": STAFF_PATCH_NOTE},
        )
        assert await mails() == [("alice@example.com", "We need your answer: Broken headphones")]

        await act(client, "POST", f"/support-cases/{cid}/messages", alice, json={"body": "Here"})
        assert await mails() == [("bob@example.com", "Customer replied: Broken headphones")]

        # Refunded through the gateway sandbox.
        refund = (await request_refund(client, alice, cid, [("L2", 2)])).json()
        rid = refund["id"]
        assert await mails() == [("alice@example.com", "Refund request received: €21.40")]
        await act(client, "POST", f"/refunds/{rid}/approve", bob)
        assert await mails() == [("alice@example.com", "Refund approved: €21.40")]
        executed = await act(client, "POST", f"/refunds/{rid}/execute", bob)
        assert executed["status"] == "refunded"
        assert await mails() == [("alice@example.com", "Refunded: €21.40")]
        refunded_mail = smtp_sink.messages[-1]
        sandbox = container.integrations.gateway_sandbox
        assert sandbox is not None
        made = sandbox.refunds[-1]
        assert executed["gateway_refund_id"] == made.id
        # Our own reference, and the one the customer's bank shows: not the gateway's id.
        assert made.bank_reference and executed["bank_reference"] == made.bank_reference
        assert f"Our reference: {rid}" in _text(refunded_mail)
        assert f"Bank reference: {made.bank_reference}" in _text(refunded_mail)
        assert made.id not in _text(refunded_mail)
        assert "Payment reference" not in _text(refunded_mail)
        assert f"{BASE}/refunds/{rid}" in _text(refunded_mail)
        assert ">View your refund</a>" in _text(refunded_mail)

        # Declined by the gateway, then settled instead.
        second = (await request_refund(client, alice, cid, [("L1", 1)])).json()
        inbox.new(), await outbox.deliver(), inbox.new()
        await act(client, "POST", f"/refunds/{second['id']}/approve", bob)
        await mails()
        sandbox.inject("decline")
        failed = await act(client, "POST", f"/refunds/{second['id']}/execute", bob)
        assert failed["status"] == "failed"
        assert await mails() == [("alice@example.com", "Your refund did not go through yet")]
        await act(
            client,
            "POST",
            f"/refunds/{second['id']}/settlement",
            bob,
            json={"type": "store_credit", "amount": 5000, "note": "Credit for your next order"},
        )
        assert await mails() == [("alice@example.com", "Your request is settled: store credit")]
        assert "€50.00" in _text(smtp_sink.messages[-1])
        assert "Credit for your next order" in _text(smtp_sink.messages[-1])

        # Outside the window: rejected with a reason.
        late = await open_case(client, alice, "ORD-1002", subject="Grinder")
        await mails()
        third = (await request_refund(client, alice, late["id"], [("L1", 1)])).json()
        await mails()
        await act(
            client, "POST", f"/refunds/{third['id']}/reject", bob, json={"reason": "Too late"}
        )
        assert await mails() == [("alice@example.com", "Your refund request was declined")]
        assert "Reason: Too late" in _text(smtp_sink.messages[-1])

        # Above the threshold: supervisors (and admins) are asked, once each.
        tv = await open_case(client, alice, "ORD-1005", subject="TV")
        await mails()
        await request_refund(client, alice, tv["id"], [("L1", 1)])
        assert await mails() == [
            ("admin@example.com", "Refund of €1,069.81 needs a supervisor"),
            ("alice@example.com", "Refund request received: €1,069.81"),
            ("sam@example.com", "Refund of €1,069.81 needs a supervisor"),
        ]

        await act(client, "PATCH", f"/support-cases/{cid}", bob, json={"status": "resolved"})
        assert await mails() == [("alice@example.com", "Resolved: Broken headphones")]
        assert sam  # signed in, never mailed about what others did not ask of them

        for message in smtp_sink.messages:
            body = _text(message)
            assert SECRET_NOTE not in body and STAFF_PATCH_NOTE not in body
            assert SECRET_NOTE not in str(message["Subject"])

    async def test_supervisors_are_asked_above_the_limit_of_the_policy_in_force(
        self, client: httpx.AsyncClient, as_user, container: Container, smtp_sink: SmtpSink
    ) -> None:
        alice, admin = await as_user("alice"), await as_user("admin")
        outbox, inbox = Outbox(container), Inbox(smtp_sink)
        await act(
            client,
            "POST",
            "/refund-policy",
            {**admin, "If-Match": '"1"'},
            json={"approval_threshold": 10000, "note": "Smaller agent limit"},
        )
        case = await open_case(client, alice, subject="Headphones")
        await outbox.deliver()
        inbox.new()

        await request_refund(client, alice, case["id"], [("L1", 1)])  # €107.09
        await outbox.deliver()

        assert inbox.new() == [
            ("admin@example.com", "Refund of €107.09 needs a supervisor"),
            ("alice@example.com", "Refund request received: €107.09"),
            ("sam@example.com", "Refund of €107.09 needs a supervisor"),
        ]

    async def test_each_mail_is_threaded_under_its_case_and_links_to_it(
        self, client: httpx.AsyncClient, as_user, container: Container, smtp_sink: SmtpSink
    ) -> None:
        alice, bob = await as_user("alice"), await as_user("bob")
        outbox = Outbox(container)
        case = await open_case(client, alice)
        cid = case["id"]
        await act(client, "POST", f"/support-cases/{cid}/messages", bob, json={"body": "Hello"})
        await outbox.deliver()

        opened, reply = smtp_sink.messages
        for message in (opened, reply):
            assert message["In-Reply-To"] == f"<case-{cid}@shop.example>"
            assert message["References"] == f"<case-{cid}@shop.example>"
            assert message["Reply-To"] == f"support+{cid}@shop.example"
            assert message["From"] == "Mug Shop <help@shop.example>"
            assert re.fullmatch(r"<evt_[0-9a-f]+\.usr_alice@shop\.example>", message["Message-ID"])
            assert f"{BASE}/cases/{cid}" in _text(message)
            assert "Mug Shop" in _text(message)
            # The link reads as a person would write it, not as an identifier.
            assert ">View your case</a>" in _text(message)
            assert f"Open case {cid}" not in _text(message)
        assert opened["Message-ID"] != reply["Message-ID"]
        assert "Hello" in _text(reply)
        metrics = (await client.get("/metrics")).text
        assert "supportdesk_mail_sent_total 2.0" in metrics

    async def test_the_html_part_escapes_what_people_wrote(
        self, client: httpx.AsyncClient, as_user, container: Container, smtp_sink: SmtpSink
    ) -> None:
        alice, bob = await as_user("alice"), await as_user("bob")
        case = await open_case(client, alice)
        await act(
            client,
            "POST",
            f"/support-cases/{case['id']}/messages",
            bob,
            json={"body": "<script>alert(1)</script>"},
        )
        await Outbox(container).deliver()
        # The outbox delivers the opening's mail and the reply's in either order.
        [reply] = [
            m for m in smtp_sink.messages if "alert(1)" in m.get_body(("plain",)).get_content()
        ]
        html = reply.get_body(preferencelist=("html",))
        plain = reply.get_body(preferencelist=("plain",))
        assert html is not None and plain is not None
        assert "<script>" not in html.get_content()
        assert "&lt;script&gt;" in html.get_content()
        assert "<script>alert(1)</script>" in plain.get_content()

    @pytest.mark.parametrize(
        "settings_overrides", [{"customer_mail_enabled": False}], indirect=True
    )
    async def test_the_shop_switch_stops_customer_mails_only(
        self, client: httpx.AsyncClient, as_user, container: Container, smtp_sink: SmtpSink
    ) -> None:
        outbox = Outbox(container)
        alice, bob = await as_user("alice"), await as_user("bob")
        case = await open_case(client, alice)
        await act(
            client, "PATCH", f"/support-cases/{case['id']}", bob, json={"assignee_id": "usr_bob"}
        )
        await act(client, "POST", f"/support-cases/{case['id']}/messages", bob, json={"body": "x"})
        await act(
            client, "POST", f"/support-cases/{case['id']}/messages", alice, json={"body": "y"}
        )
        await outbox.deliver()
        assert [_to(m) for m in smtp_sink.messages] == ["bob@example.com"]

    async def test_staff_who_turned_replies_off_get_none(
        self, client: httpx.AsyncClient, as_user, container: Container, smtp_sink: SmtpSink
    ) -> None:
        alice, bob = await as_user("alice"), await as_user("bob")
        await act(client, "PATCH", "/me/notification-settings", bob, json={"case_replies": False})
        case = await open_case(client, alice)
        await act(
            client, "PATCH", f"/support-cases/{case['id']}", bob, json={"assignee_id": "usr_bob"}
        )
        await act(
            client, "POST", f"/support-cases/{case['id']}/messages", alice, json={"body": "y"}
        )
        await Outbox(container).deliver()
        assert "bob@example.com" not in [_to(m) for m in smtp_sink.messages]

    async def test_staff_who_opted_in_hear_of_new_unassigned_cases(
        self, client: httpx.AsyncClient, as_user, container: Container, smtp_sink: SmtpSink
    ) -> None:
        alice, bob = await as_user("alice"), await as_user("bob")
        await act(client, "PATCH", "/me/notification-settings", bob, json={"new_unassigned": True})
        await open_case(client, alice, subject="Lamp")
        await Outbox(container).deliver()
        assert sorted((_to(m), str(m["Subject"]).strip()) for m in smtp_sink.messages) == [
            ("alice@example.com", "We received your request: Lamp"),
            ("bob@example.com", "New case, unassigned: Lamp"),
        ]
        [to_bob] = [m for m in smtp_sink.messages if _to(m) == "bob@example.com"]
        assert ">View the case “Lamp”</a>" in _text(to_bob)

    async def test_a_refund_without_a_bank_reference_yet_is_mailed_with_ours_only(
        self, client: httpx.AsyncClient, as_user, container: Container, smtp_sink: SmtpSink
    ) -> None:
        alice, bob = await as_user("alice"), await as_user("bob")
        sandbox = container.integrations.gateway_sandbox
        assert sandbox is not None
        sandbox.bank_references = False  # the gateway answers reference_status "pending"
        case = await open_case(client, alice)
        rid = (await request_refund(client, alice, case["id"], [("L2", 2)])).json()["id"]
        await act(client, "POST", f"/refunds/{rid}/approve", bob)
        executed = await act(client, "POST", f"/refunds/{rid}/execute", bob)
        assert executed["status"] == "refunded" and executed["bank_reference"] is None
        await Outbox(container).deliver()
        [refunded] = [m for m in smtp_sink.messages if str(m["Subject"]).startswith("Refunded")]
        assert f"Our reference: {rid}" in _text(refunded)
        assert "Bank reference" not in _text(refunded)


async def _supervisor_approval_item(
    client: httpx.AsyncClient, as_user: Any, container: Container
) -> OutboxItem:
    """The event of a refund above the threshold: three recipients (alice, sam, admin)."""
    alice = await as_user("alice")
    outbox = Outbox(container)
    case = await open_case(client, alice, "ORD-1005")
    await outbox.new_items()  # the case's events are not what this test delivers
    await request_refund(client, alice, case["id"], [("L1", 1)])
    [item] = await outbox.new_items()
    return item


class TestFailures:
    async def test_an_unreachable_server_is_a_failed_try_to_retry(
        self, client: httpx.AsyncClient, as_user, container: Container, smtp_sink: SmtpSink
    ) -> None:
        item = await _supervisor_approval_item(client, as_user, container)
        assert smtp_sink.server is not None
        smtp_sink.server.close()
        await smtp_sink.server.wait_closed()
        with pytest.raises(DeliveryFailed) as failed:
            await container.channels["email"].deliver(item)
        assert failed.value.permanent is False
        assert "could not be reached" in failed.value.reason
        assert failed.value.progress == {"sent": [], "refused": {}}

    async def test_a_retry_mails_only_those_not_mailed_before(
        self, client: httpx.AsyncClient, as_user, container: Container, smtp_sink: SmtpSink
    ) -> None:
        item = await _supervisor_approval_item(client, as_user, container)
        smtp_sink.defer = {"sam@example.com"}
        with pytest.raises(DeliveryFailed) as failed:
            await container.channels["email"].deliver(item)
        assert failed.value.permanent is False
        assert failed.value.progress is not None
        assert sorted(failed.value.progress["sent"]) == ["usr_admin", "usr_alice"]
        assert sorted(_to(m) for m in smtp_sink.messages) == [
            "admin@example.com",
            "alice@example.com",
        ]

        smtp_sink.defer = set()
        retry = OutboxItem(
            id=item.id,
            channel="email",
            event=item.event,
            attempts=1,
            progress=failed.value.progress,
        )
        await container.channels["email"].deliver(retry)
        assert sorted(_to(m) for m in smtp_sink.messages) == [
            "admin@example.com",
            "alice@example.com",
            "sam@example.com",
        ]

    async def test_a_refused_recipient_is_given_up_alone_and_named(
        self, client: httpx.AsyncClient, as_user, container: Container, smtp_sink: SmtpSink
    ) -> None:
        item = await _supervisor_approval_item(client, as_user, container)
        smtp_sink.refuse = {"sam@example.com"}
        with pytest.raises(DeliveryFailed) as failed:
            await container.channels["email"].deliver(item)
        assert failed.value.permanent is True
        assert "sam@example.com" in failed.value.reason and "550" in failed.value.reason
        assert sorted(_to(m) for m in smtp_sink.messages) == [
            "admin@example.com",
            "alice@example.com",
        ]
        assert failed.value.progress is not None
        assert list(failed.value.progress["refused"]) == ["usr_sam"]

        # Retried by hand: the others are not mailed twice, the refused one not again.
        again = OutboxItem(
            id=item.id,
            channel="email",
            event=item.event,
            attempts=1,
            progress=failed.value.progress,
        )
        with pytest.raises(DeliveryFailed):
            await container.channels["email"].deliver(again)
        assert len(smtp_sink.messages) == 2

    async def test_a_template_error_is_a_failed_try_not_a_crash(
        self,
        client: httpx.AsyncClient,
        as_user,
        container: Container,
        smtp_sink: SmtpSink,
        tmp_path: Path,
    ) -> None:
        for source in TEMPLATES.iterdir():
            (tmp_path / source.name).write_text(source.read_text())
        (tmp_path / "case_opened.txt").write_text("{% set subject %}{{ nothing.here }}{% endset %}")
        email = container.channels["email"]
        assert isinstance(email, EmailChannel)
        broken = EmailChannel(
            facts=email.facts,
            renderer=MailRenderer(email.renderer.identity, templates=tmp_path),
            transport=email.transport,
            policy=email.policy,
            clock=email.clock,
        )
        await open_case(client, await as_user("alice"))
        [item, *_] = await Outbox(container).new_items()
        with pytest.raises(DeliveryFailed) as failed:
            await broken.deliver(item)
        assert failed.value.permanent is False
        assert "case_opened" in failed.value.reason
        assert smtp_sink.messages == []

    async def test_an_event_that_means_no_mail_is_delivered_by_doing_nothing(
        self, client: httpx.AsyncClient, as_user, container: Container, smtp_sink: SmtpSink
    ) -> None:
        alice, bob = await as_user("alice"), await as_user("bob")
        outbox = Outbox(container)
        case = await open_case(client, alice)
        await outbox.new_items()
        await act(
            client,
            "POST",
            f"/support-cases/{case['id']}/messages",
            bob,
            json={"body": SECRET_NOTE, "internal": True},
        )
        [item] = await outbox.new_items()
        assert item.event.type == "internal_note_added"
        await container.channels["email"].deliver(item)
        assert smtp_sink.messages == []
