"""SMTP_URL: where mail goes, how, and as whom; the password is never shown."""

from __future__ import annotations

from supportdesk.infrastructure.mail.render import format_money
from supportdesk.infrastructure.mail.smtp import SmtpServer


class TestSmtpUrl:
    def test_smtp_upgrades_when_offered_on_port_25_by_default(self) -> None:
        assert SmtpServer.from_url("smtp://mail.example") == SmtpServer("mail.example", 25, False)

    def test_smtps_speaks_tls_on_port_465_by_default(self) -> None:
        assert SmtpServer.from_url("smtps://mail.example") == SmtpServer("mail.example", 465, True)

    def test_credentials_are_percent_decoded(self) -> None:
        server = SmtpServer.from_url("smtp://me%40shop.example:p%3Ass@mail.example:587")
        assert (server.username, server.password, server.port) == ("me@shop.example", "p:ss", 587)

    def test_the_password_is_never_in_its_printed_form(self) -> None:
        server = SmtpServer.from_url("smtps://me:hunter2@mail.example")
        assert "hunter2" not in repr(server) and "hunter2" not in str(server)


class TestMoneyInMails:
    def test_money_reads_as_in_the_web_app(self) -> None:
        assert format_money(2140, "EUR") == "€21.40"
        assert format_money(106981, "EUR") == "€1,069.81"
        assert format_money(-5, "EUR") == "-€0.05"
        assert format_money(1234567, "CHF") == "12,345.67 CHF"
