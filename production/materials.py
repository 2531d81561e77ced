"""Reserve stock for requirements, under a row lock so that no unit is ever reserved twice."""

from decimal import Decimal

from django.db.models import F

from production.models import Requirement, Stock


def requirements_reserve(*, requirements, factory) -> Decimal:
    """Reserve what stock is free for each requirement; returns the total quantity reserved.

    Must run inside a transaction: the stock rows are locked until it commits.
    """
    total = Decimal("0")
    for requirement in requirements:
        shortage = requirement.shortage
        if shortage <= 0:
            continue
        stock = Stock.objects.select_for_update().filter(factory=factory, part_id=requirement.part_id).first()
        if stock is None or stock.available <= 0:
            continue
        take = min(stock.available, shortage)
        Stock.objects.filter(pk=stock.pk).update(reserved=F("reserved") + take)
        Requirement.objects.filter(pk=requirement.pk).update(reserved=F("reserved") + take)
        requirement.reserved += take
        total += take
    return total


def requirements_unreserve(*, requirements, factory) -> Decimal:
    """Give back the stock reserved for these requirements (an order was cancelled); returns the total."""
    total = Decimal("0")
    for requirement in requirements:
        if requirement.reserved <= 0:
            continue
        Stock.objects.select_for_update().filter(factory=factory, part_id=requirement.part_id).update(
            reserved=F("reserved") - requirement.reserved
        )
        Requirement.objects.filter(pk=requirement.pk).update(reserved=0)
        total += requirement.reserved
        requirement.reserved = Decimal("0")
    return total
