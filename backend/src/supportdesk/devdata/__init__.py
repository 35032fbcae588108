"""Demo and bulk data, defined once and made through the domain.

``demo``: the specification's demo customers, users and orders (plain Python), which the
order simulator serves and ``seed-demo`` signs up. ``bulk``: a year of cases, refunds and
history for load tests, each made by the domain's own use of its transition tables and
money functions, then written in batches.
"""

from supportdesk.devdata.demo import DEMO_CUSTOMERS, DEMO_PASSWORD, DEMO_USERS, demo_orders
from supportdesk.devdata.seed import seed_demo

__all__ = ["DEMO_CUSTOMERS", "DEMO_PASSWORD", "DEMO_USERS", "demo_orders", "seed_demo"]
