"""The SLA policy from the settings: the business calendar with its country's holidays."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import holidays

from supportdesk.domain.business_time import (
    BusinessHours,
    parse_working_days,
    parse_working_hours,
)
from supportdesk.domain.sla import SlaPolicy, SlaTargets, parse_targets
from supportdesk.infrastructure.settings import Settings


def sla_policy(settings: Settings) -> SlaPolicy:
    """Settings were checked at start; this only builds what they say. The holiday
    calendar computes each year's holidays when a date of that year is first asked about."""
    opens, closes = parse_working_hours(settings.sla_working_hours)
    country = settings.sla_holidays_country
    return SlaPolicy(
        hours=BusinessHours(
            zone=ZoneInfo(settings.sla_time_zone),
            working_days=parse_working_days(settings.sla_working_days),
            opens=opens,
            closes=closes,
            holidays=holidays.country_holidays(country) if country else frozenset(),
        ),
        targets=SlaTargets(
            first_response=parse_targets(settings.sla_first_response_targets),
            resolution=parse_targets(settings.sla_resolution_targets),
        ),
    )
