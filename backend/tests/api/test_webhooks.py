"""Webhooks to the shop, end to end: an admin registers an endpoint through the API, real
changes through the API write outbox rows, the real dispatcher POSTs them over real HTTP to a
receiver run by the test, and the signatures verify with the ``standardwebhooks`` package."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from standardwebhooks import Webhook

from supportdesk.bootstrap import Container
from supportdesk.domain.webhooks import WebhookRetrySchedule
from supportdesk.infrastructure.webhooks import WebhookChannel
from tests.factories import approved_refund, open_case

ADMIN = "admin"


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """A shop's webhook endpoint: answers with ``statuses`` in turn (the last one for ever
    after), or holds the request until ``release`` is set when ``hang`` is."""

    statuses: list[int] = field(default_factory=lambda: [200])
    hang: bool = False
    got: list[Received] = field(default_factory=list)
    release: asyncio.Event = field(default_factory=asyncio.Event)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/supportdesk"

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode().split("\r\n")
        headers = {
            name.strip().lower(): value.strip()
            for name, _, value in (line.partition(":") for line in lines[1:] if line)
        }
        body = await reader.readexactly(int(headers.get("content-length", "0")))
        self.got.append(Received(headers, body))
        self.arrived.set()
        if self.hang:
            await self.release.wait()
        status = self.statuses[min(len(self.got) - 1, len(self.statuses) - 1)]
        answer = b'{"ok": true}' if status < 300 else b"x" * 5000
        head = f"HTTP/1.1 {status} X\r\ncontent-length: {len(answer)}\r\nconnection: close"
        writer.write(f"{head}\r\n\r\n".encode() + answer)
        await writer.drain()
        writer.close()


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    receiver = Receiver()
    server = await asyncio.start_server(receiver.handle, "127.0.0.1", 0)
    receiver.port = server.sockets[0].getsockname()[1]
    yield receiver
    receiver.release.set()
    server.close()


@pytest.fixture
def settings_overrides(request: pytest.FixtureRequest) -> dict[str, Any]:
    # The tests run the dispatcher themselves, so they know when a delivery was tried.
    return {
        "dispatcher_in_serve": False,
        # Long enough for a receiver on this busy event loop; the hanging-receiver test sets
        # its own.
        "webhook_timeout_seconds": 10.0,
        **getattr(request, "param", {}),
    }


def channel_of(container: Container) -> WebhookChannel:
    channel = container.channels["webhooks"]
    assert isinstance(channel, WebhookChannel)
    return channel


def no_waits(container: Container, tries: int) -> None:
    """Retries due at once, ``tries`` in all, so a test can run the whole schedule."""
    channel_of(container).retry_schedule = WebhookRetrySchedule((0.0,) * (tries - 1))


async def deliver(container: Container) -> None:
    dispatcher = container.dispatcher()
    while await dispatcher.dispatch_once():
        pass


async def register(
    client: httpx.AsyncClient, as_user: Callable[[str], Any], url: str, **body: Any
) -> dict[str, Any]:
    response = await client.post(
        "/api/v1/webhook-endpoints", headers=await as_user(ADMIN), json={"url": url, **body}
    )
    assert response.status_code == 201, response.text
    return response.json()


async def deliveries(
    client: httpx.AsyncClient, as_user: Callable[[str], Any], endpoint_id: str
) -> list[dict[str, Any]]:
    response = await client.get(
        f"/api/v1/webhook-endpoints/{endpoint_id}/deliveries", headers=await as_user(ADMIN)
    )
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def verified(secret: str, received: Received) -> dict[str, Any]:
    payload: dict[str, Any] = Webhook(secret).verify(received.body, received.headers)
    return payload


class TestEndpoints:
    async def test_an_admin_registers_an_endpoint_and_sees_its_secret_only_once(
        self, client: httpx.AsyncClient, as_user: Callable[[str], Any]
    ) -> None:
        created = await register(
            client, as_user, "https://shop.example/hooks", event_types=["refund.refunded"]
        )
        assert created["secret"].startswith("whsec_")
        assert created["active"] is True
        assert created["event_types"] == ["refund.refunded"]

        listed = await client.get("/api/v1/webhook-endpoints", headers=await as_user(ADMIN))
        one = await client.get(
            f"/api/v1/webhook-endpoints/{created['id']}", headers=await as_user(ADMIN)
        )
        assert [e["id"] for e in listed.json()] == [created["id"]]
        assert created["secret"] not in listed.text
        assert created["secret"] not in one.text

    @pytest.mark.parametrize("who", ["alice", "bob", "sam"])
    async def test_only_admins_see_or_manage_endpoints(
        self, client: httpx.AsyncClient, as_user: Callable[[str], Any], who: str
    ) -> None:
        headers = await as_user(who)
        made = await client.post(
            "/api/v1/webhook-endpoints", headers=headers, json={"url": "https://x.example/h"}
        )
        listed = await client.get("/api/v1/webhook-endpoints", headers=headers)
        assert made.status_code == 403
        assert listed.status_code == 403

    @pytest.mark.parametrize(
        "body",
        [
            {"url": "ftp://shop.example/hooks"},
            {"url": "https://user:pass@shop.example/hooks"},
            {"url": "https://shop.example/hooks", "event_types": ["refund.exploded"]},
            {"url": "https://shop.example/hooks", "secret": "whsec_mine"},
        ],
    )
    async def test_a_bad_endpoint_is_refused_and_nothing_is_registered(
        self, client: httpx.AsyncClient, as_user: Callable[[str], Any], body: dict[str, Any]
    ) -> None:
        response = await client.post(
            "/api/v1/webhook-endpoints", headers=await as_user(ADMIN), json=body
        )
        listed = await client.get("/api/v1/webhook-endpoints", headers=await as_user(ADMIN))
        assert response.status_code == 422, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert listed.json() == []

    @pytest.mark.parametrize(
        "settings_overrides",
        [{"webhook_allow_private_addresses": False}],
        indirect=True,
    )
    @pytest.mark.parametrize(
        "url",
        [
            "http://localhost:8000/hooks",
            "http://127.0.0.1/hooks",
            "http://169.254.169.254/latest/meta-data",
            "http://10.0.0.7/hooks",
            "http://[::1]/hooks",
            "http://[::ffff:192.168.1.1]/hooks",
        ],
    )
    async def test_where_private_addresses_are_not_allowed_they_are_refused(
        self, client: httpx.AsyncClient, as_user: Callable[[str], Any], url: str
    ) -> None:
        response = await client.post(
            "/api/v1/webhook-endpoints", headers=await as_user(ADMIN), json={"url": url}
        )
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["loc"][-1] == "url"

    async def test_an_endpoint_is_changed_turned_off_and_deleted(
        self, client: httpx.AsyncClient, as_user: Callable[[str], Any]
    ) -> None:
        admin = await as_user(ADMIN)
        created = await register(client, as_user, "https://shop.example/hooks")
        path = f"/api/v1/webhook-endpoints/{created['id']}"
        changed = await client.patch(
            path, headers=admin, json={"active": False, "description": "ERP"}
        )
        assert changed.status_code == 200, changed.text
        assert changed.json()["active"] is False
        assert changed.json()["description"] == "ERP"
        assert (await client.delete(path, headers=admin)).status_code == 204
        assert (await client.get(path, headers=admin)).status_code == 404
        assert (await client.delete(path, headers=admin)).status_code == 404


class TestDelivery:
    async def test_a_change_is_posted_signed_the_standard_webhooks_way(
        self,
        client: httpx.AsyncClient,
        as_user: Callable[[str], Any],
        container: Container,
        receiver: Receiver,
    ) -> None:
        endpoint = await register(client, as_user, receiver.url)
        case = await open_case(client, await as_user("alice"))

        await deliver(container)

        assert len(receiver.got) == 1
        got = receiver.got[0]
        payload = verified(endpoint["secret"], got)
        assert payload["type"] == "support_case.created"
        assert payload["id"] == got.headers["webhook-id"]
        assert payload["data"]["id"] == case["id"]
        assert payload["data"]["status"] == "open"
        # The signature, computed here from the specification, not from the package.
        key = base64.b64decode(endpoint["secret"].removeprefix("whsec_"))
        signed = f"{got.headers['webhook-id']}.{got.headers['webhook-timestamp']}.".encode()
        expected = base64.b64encode(
            hmac.new(key, signed + got.body, hashlib.sha256).digest()
        ).decode()
        assert f"v1,{expected}" in got.headers["webhook-signature"].split(" ")

    async def test_a_tampered_body_does_not_verify(
        self,
        client: httpx.AsyncClient,
        as_user: Callable[[str], Any],
        container: Container,
        receiver: Receiver,
    ) -> None:
        endpoint = await register(client, as_user, receiver.url)
        await open_case(client, await as_user("alice"))
        await deliver(container)

        got = receiver.got[0]
        tampered = Received(got.headers, got.body.replace(b'"open"', b'"closed"'))
        with pytest.raises(Exception, match="No matching signature"):
            verified(endpoint["secret"], tampered)

    async def test_an_endpoint_gets_only_the_types_it_asked_for(
        self,
        client: httpx.AsyncClient,
        as_user: Callable[[str], Any],
        container: Container,
        receiver: Receiver,
    ) -> None:
        endpoint = await register(client, as_user, receiver.url, event_types=["refund.approved"])
        await approved_refund(client, await as_user("alice"), await as_user("bob"))

        await deliver(container)

        types = [verified(endpoint["secret"], got)["type"] for got in receiver.got]
        assert types == ["refund.approved"]

    async def test_internal_notes_are_never_announced(
        self,
        client: httpx.AsyncClient,
        as_user: Callable[[str], Any],
        container: Container,
        receiver: Receiver,
    ) -> None:
        case = await open_case(client, await as_user("alice"))
        endpoint = await register(client, as_user, receiver.url)
        note = await client.post(
            f"/api/v1/support-cases/{case['id']}/messages",
            headers=await as_user("bob"),
            json={"body": "SECRET-STAFF-ONLY", "internal": True},
        )
        reply = await client.post(
            f"/api/v1/support-cases/{case['id']}/messages",
            headers=await as_user("bob"),
            json={"body": "We are on it"},
        )
        assert note.status_code == reply.status_code == 201

        await deliver(container)

        payloads = [verified(endpoint["secret"], got) for got in receiver.got]
        assert [p["type"] for p in payloads if p["type"] == "message.created"] == [
            "message.created"
        ]
        assert all(b"SECRET-STAFF-ONLY" not in got.body for got in receiver.got)
        message = next(p for p in payloads if p["type"] == "message.created")
        assert message["data"]["body"] == "We are on it"

    async def test_a_receiver_that_fails_three_times_gets_the_event_four_times_with_one_id(
        self,
        client: httpx.AsyncClient,
        as_user: Callable[[str], Any],
        container: Container,
        receiver: Receiver,
    ) -> None:
        no_waits(container, tries=10)
        receiver.statuses = [500, 500, 500, 200]
        endpoint = await register(client, as_user, receiver.url)
        await open_case(client, await as_user("alice"))

        await deliver(container)

        assert len(receiver.got) == 4
        assert len({got.headers["webhook-id"] for got in receiver.got}) == 1
        assert len({got.body for got in receiver.got}) == 1
        for got in receiver.got:
            verified(endpoint["secret"], got)
        [delivery] = await deliveries(client, as_user, endpoint["id"])
        assert delivery["state"] == "delivered"
        assert delivery["attempt"] == 4
        assert delivery["status_code"] == 200
        assert delivery["event_type"] == "support_case.created"
        assert delivery["latency_ms"] >= 0

    async def test_a_failed_try_is_logged_with_its_status_and_the_first_kb_of_the_answer(
        self,
        client: httpx.AsyncClient,
        as_user: Callable[[str], Any],
        container: Container,
        receiver: Receiver,
    ) -> None:
        receiver.statuses = [503]
        endpoint = await register(client, as_user, receiver.url)
        await open_case(client, await as_user("alice"))

        await deliver(container)

        [delivery] = await deliveries(client, as_user, endpoint["id"])
        assert delivery["state"] == "failed"
        assert delivery["status_code"] == 503
        assert delivery["response_excerpt"] == "x" * 1024
        assert delivery["next_attempt_at"] is not None

    async def test_an_endpoint_failing_every_try_is_turned_off_and_the_admins_are_mailed(
        self,
        client: httpx.AsyncClient,
        as_user: Callable[[str], Any],
        container: Container,
        receiver: Receiver,
    ) -> None:
        no_waits(container, tries=3)
        receiver.statuses = [500]
        endpoint = await register(client, as_user, receiver.url)
        await open_case(client, await as_user("alice"))

        await deliver(container)

        assert len(receiver.got) == 3
        one = await client.get(
            f"/api/v1/webhook-endpoints/{endpoint['id']}", headers=await as_user(ADMIN)
        )
        assert one.json()["active"] is False
        assert "500" in one.json()["disabled_reason"]
        [delivery] = await deliveries(client, as_user, endpoint["id"])
        assert delivery["state"] == "dead"
        mails = await client.get("/sim/mail/messages", params={"to": "admin@example.com"})
        [mail] = [m for m in mails.json()["items"] if "Webhook endpoint" in m["subject"]]
        assert receiver.url in mail["text"]

        # Turned off, it is sent nothing more.
        await open_case(client, await as_user("alice"))
        await deliver(container)
        assert len(receiver.got) == 3

    async def test_a_delivered_event_sent_again_arrives_again_with_the_same_id_and_body(
        self,
        client: httpx.AsyncClient,
        as_user: Callable[[str], Any],
        container: Container,
        receiver: Receiver,
    ) -> None:
        endpoint = await register(client, as_user, receiver.url)
        await open_case(client, await as_user("alice"))
        await deliver(container)
        [first] = await deliveries(client, as_user, endpoint["id"])

        again = await client.post(
            f"/api/v1/webhook-endpoints/{endpoint['id']}/deliveries/{first['id']}/retry",
            headers=await as_user(ADMIN),
        )
        twice = await client.post(
            f"/api/v1/webhook-endpoints/{endpoint['id']}/deliveries/{first['id']}/retry",
            headers=await as_user(ADMIN),
        )
        await deliver(container)

        assert again.status_code == 200, again.text
        assert again.json()["state"] == "pending"
        assert twice.status_code == 409  # queued already: one more, not two
        assert len(receiver.got) == 2
        assert receiver.got[0].body == receiver.got[1].body
        assert receiver.got[0].headers["webhook-id"] == receiver.got[1].headers["webhook-id"]
        log = await deliveries(client, as_user, endpoint["id"])
        assert [d["state"] for d in log] == ["delivered", "delivered"]

    async def test_what_was_queued_for_an_endpoint_turned_off_waits_dead_to_be_sent_again(
        self,
        client: httpx.AsyncClient,
        as_user: Callable[[str], Any],
        container: Container,
        receiver: Receiver,
    ) -> None:
        admin = await as_user(ADMIN)
        endpoint = await register(client, as_user, receiver.url)
        path = f"/api/v1/webhook-endpoints/{endpoint['id']}"
        await open_case(client, await as_user("alice"))
        await client.patch(path, headers=admin, json={"active": False})

        await deliver(container)

        assert receiver.got == []
        [delivery] = await deliveries(client, as_user, endpoint["id"])
        assert delivery["state"] == "dead"
        assert "turned off" in delivery["error"]
        await client.patch(path, headers=admin, json={"active": True})
        again = await client.post(f"{path}/deliveries/{delivery['id']}/retry", headers=admin)
        assert again.status_code == 200, again.text
        await deliver(container)
        assert len(receiver.got) == 1

    async def test_after_a_rotation_both_secrets_sign_so_the_receiver_can_switch(
        self,
        client: httpx.AsyncClient,
        as_user: Callable[[str], Any],
        container: Container,
        receiver: Receiver,
    ) -> None:
        endpoint = await register(client, as_user, receiver.url)
        rotated = await client.post(
            f"/api/v1/webhook-endpoints/{endpoint['id']}/rotate-secret",
            headers=await as_user(ADMIN),
        )
        assert rotated.status_code == 200, rotated.text
        assert rotated.json()["secret"] != endpoint["secret"]
        one = await client.get(
            f"/api/v1/webhook-endpoints/{endpoint['id']}", headers=await as_user(ADMIN)
        )
        assert one.json()["previous_secret_valid_until"] is not None
        await open_case(client, await as_user("alice"))

        await deliver(container)

        got = receiver.got[0]
        assert len(got.headers["webhook-signature"].split(" ")) == 2
        verified(endpoint["secret"], got)
        verified(rotated.json()["secret"], got)

    async def test_a_host_on_a_private_address_is_refused_at_delivery_when_not_allowed(
        self,
        client: httpx.AsyncClient,
        as_user: Callable[[str], Any],
        container: Container,
        receiver: Receiver,
    ) -> None:
        # Registered while allowed (or by a name that resolves there later): refused when
        # the name is resolved at delivery, for good, without a connection.
        endpoint = await register(client, as_user, receiver.url.replace("127.0.0.1", "localhost"))
        channel_of(container).allow_private = False
        await open_case(client, await as_user("alice"))

        await deliver(container)

        assert receiver.got == []
        [delivery] = await deliveries(client, as_user, endpoint["id"])
        assert delivery["state"] == "dead"
        assert "not on the internet" in delivery["error"]

    async def test_a_redirect_is_not_followed(
        self,
        client: httpx.AsyncClient,
        as_user: Callable[[str], Any],
        container: Container,
        receiver: Receiver,
    ) -> None:
        receiver.statuses = [307]
        endpoint = await register(client, as_user, receiver.url)
        await open_case(client, await as_user("alice"))

        await deliver(container)

        assert len(receiver.got) == 1
        [delivery] = await deliveries(client, as_user, endpoint["id"])
        assert delivery["state"] == "failed"
        assert "redirect" in delivery["error"]


@pytest.mark.parametrize(
    "settings_overrides",
    [{"dispatcher_in_serve": True, "webhook_timeout_seconds": 30.0}],
    indirect=True,
)
async def test_a_receiver_that_hangs_does_not_slow_the_api(
    client: httpx.AsyncClient, as_user: Callable[[str], Any], receiver: Receiver
) -> None:
    receiver.hang = True
    await register(client, as_user, receiver.url)
    await open_case(client, await as_user("alice"))
    async with asyncio.timeout(10):
        await receiver.arrived.wait()  # the app's dispatcher is inside the hanging call

    # While it hangs, the API answers: reads and writes, which write more outbox rows.
    listed = await client.get("/api/v1/support-cases", headers=await as_user("bob"))
    second = await open_case(client, await as_user("alice"))

    assert listed.status_code == 200
    assert second["status"] == "open"
    assert not receiver.release.is_set()  # all of it happened while the receiver held on
    receiver.release.set()
