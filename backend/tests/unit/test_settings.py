"""Settings are validated at start; a wrong one stops the start naming the variable."""

from __future__ import annotations

from typing import Any

import pytest

from supportdesk.infrastructure.settings import DEFAULT_JWT_SECRET, SettingsError, load_settings

# What production needs besides mail: its own secret, no demo data, the real neighbours.
PRODUCTION: dict[str, Any] = {
    "environment": "production",
    "jwt_secret": "s" * 40,
    "seed_demo_data": False,
    "order_system_url": "https://orders.example",
    "payment_gateway_url": "https://api.stripe.com",
}


class TestSettings:
    @pytest.mark.parametrize(
        ("overrides", "variable"),
        [
            ({"port": "eighty"}, "PORT"),
            ({"database_url": "mysql://x"}, "DATABASE_URL"),
            ({"redis_url": "http://x"}, "REDIS_URL"),
            ({"refund_window_days": -1}, "REFUND_WINDOW_DAYS"),
            ({"lost_parcel_after_days": -1}, "LOST_PARCEL_AFTER_DAYS"),
            ({"log_level": "LOUD"}, "LOG_LEVEL"),
            ({"forwarded_allow_ips": "10.0.0.0/8, proxy.internal"}, "FORWARDED_ALLOW_IPS"),
            ({"payment_gateway_webhook_secret": "sk_test_x"}, "PAYMENT_GATEWAY_WEBHOOK_SECRET"),
            ({"sla_time_zone": "Europe/Atlantis"}, "SLA_TIME_ZONE"),
            ({"sla_working_days": "mon-funday"}, "SLA_WORKING_DAYS"),
            ({"sla_working_hours": "17:00-09:00"}, "SLA_WORKING_HOURS"),
            ({"sla_holidays_country": "XX"}, "SLA_HOLIDAYS_COUNTRY"),
            ({"sla_first_response_targets": "urgent=1h"}, "SLA_FIRST_RESPONSE_TARGETS"),
            ({"sla_resolution_targets": "urgent=soon"}, "SLA_RESOLUTION_TARGETS"),
            ({"sla_check_interval_seconds": -1}, "SLA_CHECK_INTERVAL_SECONDS"),
        ],
    )
    def test_a_wrong_value_names_the_variable(self, overrides: dict, variable: str) -> None:
        with pytest.raises(SettingsError) as stopped:
            load_settings(**overrides)
        assert variable in str(stopped.value)

    def test_the_sandbox_sends_events_only_with_a_secret_to_sign_them(self) -> None:
        url = "/api/v1/payment-gateway/webhooks"
        with pytest.raises(SettingsError, match="PAYMENT_GATEWAY_WEBHOOK_SECRET"):
            load_settings(payment_gateway_sandbox_events_url=url)
        settings = load_settings(
            payment_gateway_sandbox_events_url=url, payment_gateway_webhook_secret="whsec_x"
        )
        assert settings.payment_gateway_sandbox_events_url == url

    def test_only_loopback_proxies_are_trusted_unless_configured(self) -> None:
        assert load_settings().forwarded_allow_ips == "127.0.0.1,::1"
        configured = load_settings(forwarded_allow_ips=" 10.0.0.0/8 , 192.0.2.7,* ")
        assert configured.forwarded_allow_ips == "10.0.0.0/8,192.0.2.7,*"

    def test_production_refuses_the_default_secret(self) -> None:
        with pytest.raises(SettingsError, match="JWT_SECRET"):
            load_settings(environment="production", seed_demo_data=False)

    def test_production_refuses_demo_data(self) -> None:
        with pytest.raises(SettingsError, match="SEED_DEMO_DATA"):
            load_settings(environment="production", jwt_secret="s" * 40)

    def test_production_needs_the_real_order_system_and_gateway(self) -> None:
        with pytest.raises(SettingsError, match="ORDER_SYSTEM_URL"):
            load_settings(environment="production", jwt_secret="s" * 40, seed_demo_data=False)

    def test_production_starts_with_its_own_secret_and_no_demo_data(self) -> None:
        settings = load_settings(**PRODUCTION, smtp_url="smtp://mail.example:587")
        assert settings.jwt_secret.get_secret_value() != DEFAULT_JWT_SECRET
        assert settings.json_logs is True

    @pytest.mark.parametrize(
        "cost",
        [{"password_hash_memory_kib": 19455}, {"password_hash_time_cost": 1}],
        ids=["memory", "passes"],
    )
    def test_production_refuses_password_hashes_cheaper_than_owasps_minimum(
        self, cost: dict[str, int]
    ) -> None:
        production = {**PRODUCTION, "smtp_url": "smtp://mail.example:587"}
        assert load_settings(
            **production, password_hash_memory_kib=19456, password_hash_time_cost=2
        )
        with pytest.raises(SettingsError, match="PASSWORD_HASH"):
            load_settings(**production, **cost)

    def test_production_needs_an_smtp_server_when_notifications_are_on(self) -> None:
        with pytest.raises(SettingsError, match="SMTP_URL"):
            load_settings(**PRODUCTION)
        quiet = load_settings(**PRODUCTION, notifications_enabled=False)
        assert quiet.mail_catcher_enabled is False

    def test_the_smtp_url_names_smtp_or_smtps_and_is_never_repeated(self) -> None:
        with pytest.raises(SettingsError, match="SMTP_URL") as stopped:
            load_settings(smtp_url="http://user:hunter2@mail.example")
        assert "hunter2" not in str(stopped.value)
        assert load_settings(smtp_url="smtps://u:p@mail.example:465").mail_catcher_enabled is False

    def test_an_empty_order_system_api_key_is_no_key(self) -> None:
        assert load_settings(order_system_api_key="").order_system_api_key is None
        assert load_settings().order_system_api_key is None

    @pytest.mark.parametrize("key", ["two words", "line\nbreak", "k\u00e9y"])
    def test_an_order_system_api_key_that_cannot_be_a_header_is_refused_unrepeated(
        self, key: str
    ) -> None:
        with pytest.raises(SettingsError, match="ORDER_SYSTEM_API_KEY") as stopped:
            load_settings(order_system_api_key=key)
        assert key not in str(stopped.value)

    def test_the_order_system_api_key_is_never_printed_by_the_settings(self) -> None:
        settings = load_settings(order_system_api_key="osk_live_secret_123")
        assert "osk_live_secret_123" not in repr(settings)
        assert "osk_live_secret_123" not in str(settings.model_dump())

    def test_the_mail_catcher_is_the_default_outside_production(self) -> None:
        assert load_settings().mail_catcher_enabled is True

    def test_cors_origins_are_a_comma_separated_list(self, monkeypatch) -> None:
        monkeypatch.setenv("CORS_ORIGINS", "https://a.example, https://b.example")
        assert load_settings().cors_origins == ["https://a.example", "https://b.example"]

    def test_sla_settings_that_do_not_parse_stop_the_start_from_the_environment(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("SLA_WORKING_HOURS", "nine to five")
        with pytest.raises(SettingsError, match=r"SLA_WORKING_HOURS.*nine to five"):
            load_settings()

    def test_no_holidays_country_means_no_public_holidays(self) -> None:
        from supportdesk.infrastructure.business_calendar import sla_policy

        calendar = sla_policy(load_settings(sla_holidays_country="")).hours
        from datetime import date

        assert calendar.is_working_day(date(2026, 12, 25))
        assert not sla_policy(load_settings()).hours.is_working_day(date(2026, 12, 25))


class TestSigningInThroughTheIdentityProvider:
    def test_it_is_offered_with_an_issuer_and_a_client_id(self) -> None:
        assert not load_settings().oidc_enabled
        assert not load_settings(idp_issuer="https://id.shop.example").oidc_enabled
        settings = load_settings(idp_issuer="https://id.shop.example", idp_client_id="desk")
        assert settings.oidc_enabled
        assert settings.oidc_display_name == settings.shop_name

    @pytest.mark.parametrize(
        ("overrides", "words"),
        [
            ({"idp_client_id": "desk"}, "IDP_CLIENT_ID needs IDP_ISSUER"),
            ({"idp_issuer": "id.shop.example", "idp_client_id": "d"}, "IDP_ISSUER"),
            ({"idp_issuer": "https://id", "idp_scopes": "email"}, "IDP_SCOPES"),
        ],
    )
    def test_a_half_configuration_stops_the_start(self, overrides: dict, words: str) -> None:
        with pytest.raises(SettingsError, match=words):
            load_settings(**overrides)

    def test_the_embedded_test_provider_is_this_server_under_sim(self) -> None:
        settings = load_settings(idp_simulator=True, public_base_url="http://127.0.0.1:8772")
        assert settings.idp_issuer == "http://127.0.0.1:8772/sim/idp"
        assert settings.idp_client_id == "supportdesk"

    def test_the_embedded_test_provider_never_runs_in_production(self) -> None:
        with pytest.raises(SettingsError, match="IDP_SIMULATOR"):
            load_settings(
                environment="production",
                idp_simulator=True,
                jwt_secret="x" * 40,
                seed_demo_data=False,
                order_system_url="https://orders",
                payment_gateway_url="https://pay",
                notifications_enabled=False,
            )
