"""Twenty orders racing on PostgreSQL for the last units of a part: none over-reserved, stock never
negative, the shortage bought once on one consolidated purchase order."""

from decimal import Decimal

import pytest
from django.db import connection

from cosmo.models import User
from lifecycle import steps
from orders.services import LineRequest, order_place
from production.models import Requirement, Stock
from suppliers.models import PurchaseOrderLine
from tests.ordering import default_configuration
from tests.procurement import assert_allocations_exact
from tests.racing import run_at_once

pytestmark = pytest.mark.django_db(transaction=True)

RACERS = 20
LAST_UNITS = 5


def test_it_never_reserves_a_unit_twice_when_twenty_orders_race(world):
    if connection.vendor != "postgresql":
        pytest.skip("the race runs on PostgreSQL (make test sets DATABASE_URL)")
    consumer = User.objects.get(username="consumer")
    Stock.objects.filter(part__code="CMP-26").update(on_hand=LAST_UNITS, reserved=0)
    orders = []
    for _ in range(RACERS):
        order = order_place(
            customer=consumer,
            lines=[LineRequest("AC-SPLIT", default_configuration("AC-SPLIT"), 1)],
            delivery_address="1 Race Track",
        )
        assert steps.order_plan(order.pk)
        orders.append(order)
    results, errors = run_at_once([lambda pk=order.pk: steps.order_procure(pk) for order in orders])
    assert errors == [] and results == [True] * RACERS

    stock = Stock.objects.get(part__code="CMP-26")
    assert stock.reserved == LAST_UNITS and stock.on_hand == LAST_UNITS
    assert all(s.on_hand >= s.reserved >= 0 for s in Stock.objects.all())
    requirements = Requirement.objects.filter(part__code="CMP-26")
    assert sorted(requirements.values_list("reserved", flat=True)) == [0] * (RACERS - LAST_UNITS) + [1] * LAST_UNITS
    # The fifteen without stock are bought once, on one purchase-order line to QCW.
    line = PurchaseOrderLine.objects.get(part__code="CMP-26")
    assert line.quantity == RACERS - LAST_UNITS
    assert line.allocations.count() == RACERS - LAST_UNITS
    assert sum(a.quantity for a in line.allocations.all()) == Decimal(RACERS - LAST_UNITS)
    assert_allocations_exact()
