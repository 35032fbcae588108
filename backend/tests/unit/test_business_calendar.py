"""The SLA's holiday calendar is the holidays package's, with one country's module loaded."""

from __future__ import annotations

import subprocess
import sys

import holidays
import pytest

from supportdesk.infrastructure.business_calendar import country_holidays

YEARS = range(2020, 2036)


@pytest.mark.parametrize("code", ["DE", "DEU", "US", "GB", "FR", "AX", "NL", "JP"])
def test_a_country_has_the_holidays_the_package_gives_it(code: str) -> None:
    ours = country_holidays(code)
    theirs = holidays.country_holidays(code)
    for year in YEARS:
        ours.get(f"{year}-01-01")
        theirs.get(f"{year}-01-01")
    assert dict(ours) == dict(theirs)
    assert type(ours).__name__ == type(theirs).__name__


def test_an_unknown_country_is_refused_as_the_package_refuses_it() -> None:
    with pytest.raises(NotImplementedError):
        country_holidays("XX")


def test_only_the_one_country_is_imported() -> None:
    code = (
        "import sys\n"
        "from supportdesk.infrastructure.business_calendar import country_holidays\n"
        "assert '2026-10-03' in country_holidays('DE')\n"
        "print(sorted(m for m in sys.modules if m.startswith('holidays.countries')))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "['holidays.countries.germany']"
