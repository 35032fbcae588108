"""Mails from templates: Jinja2 files, an autoescaped HTML part and a plain-text part each,
in the shop's name, with the headers that keep one thread per case in a mail client."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, parseaddr
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from supportdesk.domain.money import format_amount
from supportdesk.domain.notifications import Audience, Mail, MailFacts, Person

TEMPLATES = Path(__file__).parent / "templates"

_SYMBOLS = {"EUR": "€", "GBP": "£", "USD": "$"}


def format_money(amount: int, currency: str) -> str:
    """As the web app shows it (en-IE): ``106981, "EUR"`` is ``€1,069.81``; a currency
    without a symbol here is ``1,069.81 CHF``. Integers only, as on the money path."""
    number = format_amount(abs(amount), currency).rsplit(" ", 1)[0]  # "1069.81"
    units, dot, minor = number.partition(".")
    grouped = f"{int(units):,}{dot}{minor}"
    sign = "-" if amount < 0 else ""
    symbol = _SYMBOLS.get(currency.upper())
    return f"{sign}{symbol}{grouped}" if symbol else f"{sign}{grouped} {currency.upper()}"


@dataclass(frozen=True, slots=True)
class MailIdentity:
    shop_name: str
    mail_from: str  # an address, or "Name <address>"
    support_address: str  # plus-addressed per case for replies
    public_base_url: str

    @property
    def sender(self) -> str:
        return parseaddr(self.mail_from)[1]

    @property
    def from_header(self) -> str:
        name, address = parseaddr(self.mail_from)
        return formataddr((name or self.shop_name, address))

    @property
    def domain(self) -> str:
        return parseaddr(self.support_address)[1].rpartition("@")[2]

    def reply_to(self, case_id: str) -> str:
        local, _, domain = parseaddr(self.support_address)[1].rpartition("@")
        return f"{local}+{case_id}@{domain}"

    def thread_root(self, case_id: str) -> str:
        """The ``Message-ID`` every mail about the case answers, so that a mail client
        shows one thread per case."""
        return f"<case-{case_id}@{self.domain}>"

    def message_id(self, event_id: str, recipient_id: str) -> str:
        """Stable per (event, recipient): a mail sent twice (a retry after a crash) is
        recognisably the same mail."""
        return f"<{event_id}.{recipient_id}@{self.domain}>"


class MailRenderer:
    def __init__(self, identity: MailIdentity, templates: Path = TEMPLATES) -> None:
        self.identity = identity
        self.env = Environment(
            loader=FileSystemLoader(templates),
            autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
            undefined=StrictUndefined,  # a missing value is a template error, not a blank
            keep_trailing_newline=True,
        )
        self.env.filters["money"] = format_money

    def render(self, mail: Mail, facts: MailFacts, now: datetime) -> EmailMessage:
        """Raises jinja2's TemplateError when a template is missing or wrong."""
        context = self._context(mail, facts)
        text_template = self.env.get_template(f"{mail.template}.txt")
        module = text_template.make_module(context)
        subject = " ".join(str(getattr(module, "subject", "")).split())
        text = str(module).strip() + "\n"
        html = self.env.get_template(f"{mail.template}.html").render(context, subject=subject)

        identity = self.identity
        case_id = facts.case.id
        message = EmailMessage()
        message["Subject"] = subject or identity.shop_name
        message["From"] = identity.from_header
        message["To"] = formataddr((mail.recipient.name, mail.recipient.email))
        message["Reply-To"] = identity.reply_to(case_id)
        message["Date"] = format_datetime(now)
        message["Message-ID"] = identity.message_id(mail.event.id, mail.recipient.id)
        message["In-Reply-To"] = identity.thread_root(case_id)
        message["References"] = identity.thread_root(case_id)
        message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies to this
        message.set_content(text)
        message.add_alternative(html, subtype="html")
        return message

    def render_notice(
        self,
        template: str,
        recipient: Person,
        context: dict[str, Any],
        *,
        link: str,
        message_id: str,
        now: datetime,
    ) -> EmailMessage:
        """A mail to staff about the service itself (a webhook endpoint turned off), not
        about a case: no thread, no reply address."""
        full = {
            **context,
            "shop_name": self.identity.shop_name,
            "recipient": recipient,
            "for_customer": False,
            "link": f"{self.identity.public_base_url}{link}",
        }
        module = self.env.get_template(f"{template}.txt").make_module(full)
        subject = " ".join(str(getattr(module, "subject", "")).split())
        message = EmailMessage()
        message["Subject"] = subject or self.identity.shop_name
        message["From"] = self.identity.from_header
        message["To"] = formataddr((recipient.name, recipient.email))
        message["Date"] = format_datetime(now)
        message["Message-ID"] = f"<{message_id}.{recipient.id}@{self.identity.domain}>"
        message["Auto-Submitted"] = "auto-generated"
        message.set_content(str(module).strip() + "\n")
        html = self.env.get_template(f"{template}.html").render(full, subject=subject)
        message.add_alternative(html, subtype="html")
        return message

    def _context(self, mail: Mail, facts: MailFacts) -> dict[str, Any]:
        base = self.identity.public_base_url
        refund = facts.refund
        link = (
            f"{base}/refunds/{refund.id}" if refund is not None else f"{base}/cases/{facts.case.id}"
        )
        return {
            "shop_name": self.identity.shop_name,
            "recipient": mail.recipient,
            # Customers read "your case"; staff get the case named by its subject.
            "for_customer": mail.audience is Audience.CUSTOMER,
            "event": mail.event,
            "case": facts.case,
            "refund": refund,
            "message_body": facts.message_body,
            "link": link,
            "case_link": f"{base}/cases/{facts.case.id}",
        }
