"""Money arithmetic on integer minor units. No floats anywhere on this path."""

from __future__ import annotations

from dataclasses import dataclass

from supportdesk.domain.orders import OrderLine


def split_over_units(gross: int, units: int) -> tuple[int, ...]:
    """Split a line's gross over its units by the largest-remainder method.

    Every unit gets the floor share and the first units take one extra cent each until the
    remainder is used up, so the parts always add up to exactly the gross:
    ``3209`` over 3 units is ``(1070, 1070, 1069)``.
    """
    if units <= 0:
        raise ValueError("a line has at least one unit")
    if gross < 0:
        raise ValueError("a line's gross is never negative")
    base, extra = divmod(gross, units)
    return tuple(base + 1 if index < extra else base for index in range(units))


@dataclass(frozen=True, slots=True)
class LineRefund:
    """The part of a refund that returns ``quantity`` units of one order line."""

    line_id: str
    sku: str
    name: str
    quantity: int
    parts: tuple[int, ...]
    # The product's category when the refund was asked for (the policy's rules by category).
    category: str | None = None

    @property
    def amount(self) -> int:
        return sum(self.parts)


def refund_line(line: OrderLine, already_taken: int, quantity: int) -> LineRefund:
    """Refund ``quantity`` units of a line of which ``already_taken`` are refunded or held.

    The refund takes the parts ``already_taken … already_taken + quantity - 1``, so refunding
    every unit of a line, in any number of refunds, returns exactly its gross.
    """
    parts = split_over_units(line.gross, line.quantity)
    if quantity <= 0 or already_taken < 0 or already_taken + quantity > line.quantity:
        raise ValueError("quantity out of range")
    return LineRefund(
        line_id=line.line_id,
        sku=line.sku,
        name=line.name,
        quantity=quantity,
        parts=parts[already_taken : already_taken + quantity],
        category=line.category,
    )


# ISO 4217 currencies whose minor unit is not the cent.
_EXPONENTS = {
    "BIF": 0,
    "CLP": 0,
    "JPY": 0,
    "KRW": 0,
    "VND": 0,
    "XAF": 0,
    "XOF": 0,
    "BHD": 3,
    "JOD": 3,
    "KWD": 3,
    "OMR": 3,
    "TND": 3,
}


def decimal_amount(amount: int, currency: str) -> str:
    """``2140, "EUR"`` is ``"21.40"``: the amount in the currency's major unit, as a
    spreadsheet reads a number."""
    return format_amount(amount, currency).rsplit(" ", 1)[0]


def format_amount(amount: int, currency: str) -> str:
    """``2140, "EUR"`` is ``"21.40 EUR"``: for people reading a history, not for arithmetic."""
    exponent = _EXPONENTS.get(currency.upper(), 2)
    if exponent == 0:
        return f"{amount} {currency}"
    units, minor = divmod(abs(amount), 10**exponent)
    sign = "-" if amount < 0 else ""
    return f"{sign}{units}.{minor:0{exponent}d} {currency}"
