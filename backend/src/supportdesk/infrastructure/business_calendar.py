"""The SLA policy from the settings: the business calendar with its country's holidays."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import holidays
from holidays.registry import COUNTRIES

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
            holidays=country_holidays(country) if country else frozenset(),
        ),
        targets=SlaTargets(
            first_response=parse_targets(settings.sla_first_response_targets),
            resolution=parse_targets(settings.sla_resolution_targets),
        ),
    )


def country_holidays(code: str) -> Any:
    """``holidays.country_holidays(code)``, with only that country's module imported.

    The package finds a country's class through ``holidays.countries``, whose
    ``__init__`` imports the modules of all 250 countries: 5-6 MB of every worker's memory
    for the one calendar it uses (bench/README.md). The country's module is
    loaded from its file under the name the package gives it, so a later import of the
    package finds it loaded. Where the package is laid out otherwise, it is asked the usual
    way (``tests/unit/test_business_calendar.py`` holds the two to the same holidays)."""
    found = next(
        ((module, names[0]) for module, names in COUNTRIES.items() if code in names[1:]), None
    )
    if found is None:
        return holidays.country_holidays(code)  # raises, naming the code
    module, class_name = found
    try:
        loaded = _country_module(module)
    except ImportError:
        # A country built on another's (Åland on Finland's) imports the whole package,
        # which finds this module half loaded: the usual way, then.
        return holidays.country_holidays(code)
    # The alias class the package would give (``DE``, a ``Germany``), else the country's.
    return getattr(loaded, code, getattr(loaded, class_name))()


def _country_module(module: str) -> Any:
    name = f"holidays.countries.{module}"
    loaded = sys.modules.get(name)
    if loaded is not None:
        return loaded
    path = Path(holidays.__file__).parent / "countries" / f"{module}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None or not path.is_file():
        raise ImportError(name)
    loaded = importlib.util.module_from_spec(spec)
    sys.modules[name] = loaded
    try:
        spec.loader.exec_module(loaded)
    except BaseException:
        del sys.modules[name]
        raise
    return loaded
