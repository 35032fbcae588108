"""What every request gets: problem+json errors, health, metrics, the upstream's failures."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from asgi_lifespan import LifespanManager

from supportdesk.api.app import create_app
from supportdesk.bootstrap import Container
from supportdesk.infrastructure.settings import Environment


class TestHealth:
    async def test_live_and_ready(self, client: httpx.AsyncClient) -> None:
        assert (await client.get("/api/v1/health/live")).json() == {"status": "ok"}
        ready = await client.get("/api/v1/health/ready")
        assert ready.status_code == 200, ready.text
        assert ready.json()["checks"] == {"database": "ok", "cache": "ok", "order_system": "ok"}

    @pytest.mark.parametrize(
        "settings_overrides", [{"order_system_url": "http://127.0.0.1:9"}], indirect=True
    )
    async def test_ready_names_the_failing_part(self, client: httpx.AsyncClient) -> None:
        ready = await client.get("/api/v1/health/ready")
        assert ready.status_code == 503
        assert ready.json()["checks"]["order_system"] == "failing"
        assert ready.json()["checks"]["database"] == "ok"
        assert "order_system" in ready.json()["detail"]


class TestMetrics:
    async def test_request_counts_and_latency_by_route_template(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        alice = await as_user("alice")
        await client.get("/api/v1/orders/ORD-1001", headers=alice)
        text = (await client.get("/metrics")).text
        assert 'route="/api/v1/orders/{order_id}"' in text
        assert "supportdesk_http_request_duration_seconds_bucket" in text
        assert "ORD-1001" not in text


class TestUpstreamUnavailable:
    async def test_an_order_system_that_is_down_is_503_and_nothing_is_written(
        self, client: httpx.AsyncClient, as_user, container: Container
    ) -> None:
        alice = await as_user("alice")
        simulator = container.integrations.order_simulator_app
        assert simulator is not None
        simulator.state.faults.inject("server_error", times=10)
        response = await client.post(
            "/api/v1/support-cases",
            headers=alice,
            json={"order_id": "ORD-1002", "subject": "s", "description": "d", "category": "other"},
        )
        assert response.status_code == 503, response.text
        assert response.json()["code"] == "upstream_unavailable"
        assert (await client.get("/api/v1/support-cases", headers=alice)).json()["items"] == []

    async def test_garbage_from_the_order_system_is_503(
        self, client: httpx.AsyncClient, as_user, container: Container
    ) -> None:
        simulator = container.integrations.order_simulator_app
        assert simulator is not None
        simulator.state.faults.inject("garbage", times=10)
        response = await client.get("/api/v1/orders/ORD-1003", headers=await as_user("alice"))
        assert response.status_code == 503
        assert response.json()["code"] == "upstream_unavailable"


class TestProblemDetails:
    async def test_a_wrong_content_type_is_a_4xx_problem(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        response = await client.post(
            "/api/v1/support-cases",
            headers={**await as_user("alice"), "Content-Type": "text/plain"},
            content=b"order_id=ORD-1001",
        )
        assert 400 <= response.status_code < 500
        assert response.headers["content-type"].startswith("application/problem+json")
        assert {"status", "title", "detail", "code"} <= set(response.json())

    async def test_an_unexpected_error_is_a_500_without_a_stack_trace(
        self, client: httpx.AsyncClient, as_user, container: Container, monkeypatch
    ) -> None:
        async def broken(*args: object, **kwargs: object) -> None:
            raise RuntimeError("secret internals")

        monkeypatch.setattr(container.integrations.order_system, "get_order", broken)
        app = create_app(container.settings, container=container)
        # As a server would: the app answers 500, and the error does not reach the caller.
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as server:
            response = await server.get("/api/v1/orders/ORD-1001", headers=await as_user("alice"))
        assert response.status_code == 500
        assert response.json()["code"] == "internal_error"
        assert "secret internals" not in response.text
        assert "Traceback" not in response.text
        assert response.json()["request_id"] == response.headers["x-request-id"]


class TestEmbeddedSimulators:
    async def test_the_simulators_answer_under_sim_for_browser_tests(
        self, client: httpx.AsyncClient
    ) -> None:
        refunds = await client.get("/sim/gateway/_sandbox/refunds")
        assert refunds.status_code == 200
        assert refunds.json() == {"items": []}
        unknown = await client.get("/sim/nothing/_sandbox/refunds")
        assert unknown.status_code == 404
        assert unknown.json()["detail"] == "no embedded nothing simulator"

    async def test_outside_production_the_sign_in_page_can_list_the_demo_users(
        self, client: httpx.AsyncClient
    ) -> None:
        demo = await client.get("/sim/demo-users")

        assert demo.status_code == 200
        emails = {user["email"]: user["role"] for user in demo.json()["items"]}
        assert emails == {
            "alice@example.com": "customer",
            "carol@example.com": "customer",
            "bob@example.com": "agent",
            "sam@example.com": "supervisor",
            "admin@example.com": "admin",
        }
        assert demo.json()["password"] == "demo-password"

    async def test_in_production_there_are_no_demo_users_to_list(
        self, container: Container
    ) -> None:
        production = container.settings.model_copy(update={"environment": Environment.PRODUCTION})
        app = create_app(production, container=container)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as server:
            demo = await server.get("/sim/demo-users")

        assert demo.status_code == 404
        assert "demo-password" not in demo.text

    async def test_a_replay_through_sim_keeps_stripes_idempotent_replayed_header(
        self, client: httpx.AsyncClient
    ) -> None:
        """A Stripe client tells a replay from a new refund by this header alone."""
        headers = {"Authorization": "Bearer sk_test_x", "Idempotency-Key": "sim-key-1"}
        body = {"payment_intent": "pi_demo_ord1001", "amount": "100"}

        first = await client.post("/sim/gateway/v1/refunds", data=body, headers=headers)
        again = await client.post("/sim/gateway/v1/refunds", data=body, headers=headers)

        assert (first.status_code, again.status_code) == (200, 200)
        assert "idempotent-replayed" not in first.headers
        assert again.headers["idempotent-replayed"] == "true"
        assert again.json()["id"] == first.json()["id"]


class TestAccessLog:
    async def test_the_web_apps_files_answered_fine_are_not_logged_but_the_api_and_misses_are(
        self,
        container: Container,
        tmp_path: Path,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        """One page load fetches a dozen files: at INFO they would bury the API's lines."""
        dist = tmp_path / "dist"
        (dist / "assets").mkdir(parents=True)
        (dist / "index.html").write_text("<!doctype html><title>supportdesk</title>")
        (dist / "assets" / "app-1a2b.js").write_text("console.log('hi')")
        container.settings.web_dist_dir = dist
        app = create_app(container.settings, container=container)
        async with (
            LifespanManager(app),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as web,
        ):
            assert (await web.get("/assets/app-1a2b.js")).status_code == 200
            assert (await web.get("/cases/case_1")).status_code == 200  # a page: index.html
            assert (await web.get("/assets/gone-9z.js")).status_code == 404
            assert (await web.get("/api/v1/health/live")).status_code == 200

        lines = [line for line in capsys.readouterr().err.splitlines() if "request" in line]
        logged = " ".join(lines)
        assert "/api/v1/health/live" in logged
        assert "/assets/gone-9z.js" in logged
        assert "/assets/app-1a2b.js" not in logged
        assert "/cases/case_1" not in logged


class TestApiReference:
    async def test_the_api_reference_is_the_web_apps_page_under_the_apps_own_security_policy(
        self, container: Container, tmp_path: Path
    ) -> None:
        """FastAPI's own page loads Swagger UI from a CDN and starts it with an inline
        script, both of which the policy refuses: the page was blank."""
        dist = tmp_path / "dist"
        (dist / "assets").mkdir(parents=True)
        (dist / "api-docs.html").write_text(
            '<!doctype html><main id="swagger-ui"></main>'
            '<script type="module" src="/assets/apiDocs-1a2b.js"></script>'
        )
        container.settings.web_dist_dir = dist
        app = create_app(container.settings, container=container)
        async with (
            LifespanManager(app),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as web,
        ):
            page = await web.get("/api/v1/docs")
            schema = await web.get("/api/v1/openapi.json")

        assert page.status_code == 200
        assert 'id="swagger-ui"' in page.text
        assert "script-src 'self'" in page.headers["content-security-policy"]
        assert schema.status_code == 200

    async def test_without_the_built_web_app_the_reference_says_how_to_build_it(
        self, client: httpx.AsyncClient
    ) -> None:
        page = await client.get("/api/v1/docs")

        assert page.status_code == 404
        assert page.headers["content-type"].startswith("application/problem+json")
        assert "make build-web" in page.json()["detail"]
        assert "/api/v1/openapi.json" in page.json()["detail"]
