"""Secrets never reach a log line: masked by key, in nested values, and by shape in text."""

from __future__ import annotations

import io
import json
import logging
import time

import pytest
import structlog

from supportdesk.infrastructure.logging import MASK, configure_logging, mask_text, redact_secrets


def _redacted(**event: object) -> dict[str, object]:
    return redact_secrets(None, "info", dict(event))


# Built, so that the literal does not appear in a traceback's source lines either.
SECRET = "-".join(["never", "in", "a", "log"])


class TestRedactionByKey:
    @pytest.mark.parametrize(
        "key",
        [
            "password",
            "new_password",
            "token",
            "access_token",
            "refresh_token",
            "secret",
            "jwt_secret",
            "api_key",
            "payment_gateway_api_key",
            "Authorization",
            "cookie",
            "Set-Cookie",
        ],
    )
    def test_a_value_under_a_secret_key_is_masked(self, key: str) -> None:
        assert _redacted(**{key: "s3cret-value"})[key] == MASK

    def test_ids_and_ordinary_fields_are_kept(self) -> None:
        event = _redacted(token_id="jti-1", request_id="r-1", status=200, email="a@example.com")
        assert event == {
            "token_id": "jti-1",
            "request_id": "r-1",
            "status": 200,
            "email": "a@example.com",
        }

    def test_nested_dicts_and_lists_are_masked_too(self) -> None:
        event = _redacted(body={"user": {"email": "a@example.com", "password": "hunter2"}})
        assert event["body"] == {"user": {"email": "a@example.com", "password": MASK}}

    def test_asgi_header_pairs_are_masked_by_their_name(self) -> None:
        headers = [(b"authorization", b"Bearer abc"), (b"cookie", b"s=1"), (b"accept", b"*/*")]
        assert _redacted(headers=headers)["headers"] == [
            (b"authorization", MASK),
            (b"cookie", MASK),
            (b"accept", b"*/*"),
        ]


class TestRedactionByShape:
    def test_the_password_of_a_database_url_is_masked_and_the_rest_kept(self) -> None:
        text = "cannot reach postgresql+asyncpg://support:pa55@db:5432/supportdesk"
        assert (
            mask_text(text) == "cannot reach postgresql+asyncpg://support:***@db:5432/supportdesk"
        )

    def test_a_redis_url_without_a_user_name_is_masked_too(self) -> None:
        assert mask_text("redis://:pa55@cache:6379/0") == "redis://:***@cache:6379/0"

    def test_a_bearer_token_in_text_is_masked(self) -> None:
        assert mask_text("sent Authorization: Bearer abc.def-ghi") == ("sent Authorization: ***")
        assert "abc.def" not in mask_text("header was 'Bearer abc.def'")

    def test_a_jwt_anywhere_in_text_is_masked(self) -> None:
        jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.sig_part-1"
        assert jwt not in mask_text(f"token {jwt} rejected")

    @pytest.mark.parametrize(
        "text",
        [
            "password=hunter2",
            "{'password': 'hunter2'}",
            '{"password":"hunter2"}',
            "api_key: hunter2",
        ],
    )
    def test_key_value_pairs_in_text_are_masked(self, text: str) -> None:
        assert "hunter2" not in mask_text(text)

    def test_text_without_secrets_is_unchanged(self) -> None:
        text = "GET /api/v1/orders/ORD-1001 answered 404 in 3 ms"
        assert mask_text(text) == text

    @pytest.mark.parametrize(
        "text",
        [
            "PASSWORD=hunter2",
            "Api_Key: hunter2",
            "pa\u017f\u017fword=hunter2",
            "\u212aey token=hunter2",
        ],
    )
    def test_the_words_are_found_in_any_case_also_in_letters_lower_does_not_fold(
        self, text: str
    ) -> None:
        # The long s and the Kelvin sign match "s" and "k" case-blindly, as the patterns do.
        assert "hunter2" not in mask_text(text)

    @pytest.mark.parametrize(
        "text",
        [
            "a" * 20_000,  # a path of one long name: every position once began a key
            "a." * 10_000 + "://",  # a long run before a scheme separator
            "x" * 20_000 + "password",
        ],
    )
    def test_masking_a_long_client_sent_text_takes_time_in_proportion_to_its_length(
        self, text: str
    ) -> None:
        """A client writes the path and headers that the access log line masks. Masking was
        quadratic in a run of name characters: an 8 KB path cost 9 s of the event loop,
        20 KB a minute. Linear, it is milliseconds; a second is a wide margin."""
        started = time.thread_time()  # CPU time: a busy machine must not fail it
        mask_text(text)
        assert time.thread_time() - started < 1.0


class TestConfiguredLogging:
    @pytest.mark.parametrize("json_lines", [False, True])
    def test_a_traceback_has_no_locals_and_its_message_is_masked(self, json_lines: bool) -> None:
        stream = io.StringIO()
        configure_logging("INFO", json=json_lines, stream=stream)

        def fail(password: str) -> None:
            local_secret = f"local-{password}"
            raise RuntimeError(f"no connection to postgresql://u:{password}@db/{local_secret[:0]}")

        try:
            fail(SECRET)
        except RuntimeError:
            structlog.get_logger("t").exception("unhandled_error", password=SECRET)

        out = stream.getvalue()
        assert "RuntimeError" in out
        assert "Traceback" in out
        assert SECRET not in out
        assert "local_secret =" not in out  # no frame's locals
        assert f"local-{SECRET}" not in out
        if json_lines:
            assert json.loads(out.splitlines()[0])["password"] == MASK

    def test_standard_library_records_go_through_the_same_masking(self) -> None:
        stream = io.StringIO()
        configure_logging("INFO", json=True, stream=stream)

        logging.getLogger("uvicorn.error").error(
            "connect to %s failed", "redis://:hunter2@cache:6379/0"
        )

        line = json.loads(stream.getvalue().splitlines()[-1])
        assert line["event"] == "connect to redis://:***@cache:6379/0 failed"

    def test_a_value_orjson_cannot_write_is_written_all_the_same(self) -> None:
        """JSON lines are written by orjson, which refuses an integer past 64 bits and a
        key that is not a string: such a line is written the standard library's way."""
        stream = io.StringIO()
        configure_logging("INFO", json=True, stream=stream)

        structlog.get_logger("t").info("odd", big=2**70, by_number={1: "one"}, name="Zoë")
        structlog.get_logger("t").info("plain", name="Zoë", token=SECRET)

        odd, plain = (json.loads(line) for line in stream.getvalue().splitlines()[-2:])
        assert odd["big"] == 2**70
        assert odd["by_number"] == {"1": "one"}
        assert odd["name"] == "Zoë"
        assert plain["name"] == "Zoë"
        assert plain["token"] == MASK
