"""The database is read a fixed number of times per order, whatever the size of the catalog, and a batch
of order lines costs about what one line costs."""

from decimal import Decimal

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from lifecycle import steps
from orders.models import Order, OrderLine, ProductFamily
from orders.services import LineRequest, order_place
from production.bom import need_date_estimate, order_lines_explode
from production.models import BomLine, Factory, Part, PartComponent, Requirement, Stock
from suppliers.models import Offer, PriceBreak, Supplier
from suppliers.netting import requirements_net
from tests.ordering import default_configuration


def pipeline_queries(consumer) -> int:
    """Queries to plan and procure one order of three lines, from the same state each time (rolled back)."""
    with transaction.atomic():
        order = order_place(
            customer=consumer,
            lines=[LineRequest(code, default_configuration(code), 3) for code in ("AC-SPLIT", "FRIDGE", "WASHER")],
            delivery_address="1 Query Lane",
        )
        with CaptureQueriesContext(connection) as captured:
            steps.order_plan(order.pk)
            steps.order_procure(order.pk)
        transaction.set_rollback(True)
    return len(captured)


def grow_catalog(times: int) -> None:
    """Add parts, sub-assemblies, stock, suppliers, offers with price breaks, and a family with a BOM."""
    factory = Factory.objects.get()
    family = ProductFamily.objects.create(code=f"BIG-{times}", name="Big", base_price=Decimal("1"))
    supplier = Supplier.objects.create(code=f"BIG{times}", name="Big supplier")
    for n in range(times):
        part = Part.objects.create(code=f"X{times}-{n}", name="Extra part")
        Stock.objects.create(factory=factory, part=part, on_hand=Decimal("3"))
        offer = Offer.objects.create(supplier=supplier, part=part, price=Decimal("2"), lead_time_days=3)
        PriceBreak.objects.create(offer=offer, min_quantity=Decimal("50"), price=Decimal("1.5"))
        BomLine.objects.create(family=family, part=part, quantity=Decimal("1"))
        if n:
            PartComponent.objects.create(assembly=part, component=Part.objects.get(code=f"X{times}-{n - 1}"),
                                         quantity=Decimal("1"))


def test_it_reads_the_same_number_of_times_whatever_the_catalog(consumer):
    small = pipeline_queries(consumer)
    grow_catalog(60)
    assert pipeline_queries(consumer) == small
    grow_catalog(120)
    assert pipeline_queries(consumer) == small


def lines_of(consumer, count: int) -> list[OrderLine]:
    order = Order.objects.create(number=f"CO-Q{count}", customer=consumer, placed_at=consumer.date_joined,
                                 delivery_address="x", total=0, currency="EUR")
    families = list(ProductFamily.objects.filter(code__in=["AC-SPLIT", "FRIDGE", "WASHER"]))
    return OrderLine.objects.bulk_create(
        OrderLine(order=order, position=n + 1, family=families[n % 3], quantity=1 + n % 4, unit_price=0,
                  configuration=default_configuration(families[n % 3].code), variant_code="x")
        for n in range(count)
    )


def batch_queries(consumer, count: int) -> int:
    lines = lines_of(consumer, count)
    order = lines[0].order
    for line in lines:
        line.order = order
    with CaptureQueriesContext(connection) as captured, transaction.atomic():
        order_lines_explode(lines=lines, need_dates={order.pk: need_date_estimate(order)})
        requirements = list(Requirement.objects.filter(order_line__in=lines).select_related("order_line", "part"))
        requirements_net(requirements=requirements, factory=Factory.objects.get(), now=order.placed_at)
    return len(captured)


def test_it_costs_a_batch_of_lines_about_what_one_line_costs(consumer):
    ten = batch_queries(consumer, 10)
    forty = batch_queries(consumer, 40)
    # Constant per batch: the forty lines read no more than the ten (new purchase orders aside).
    assert forty <= ten + 5, (ten, forty)
    assert forty / 40 < 2


def procure_batch(consumer, count: int) -> tuple[int, int]:
    """(queries, rows read) to procure `count` planned orders in one batch; the allocations stay exact."""
    from tests.procurement import assert_allocations_exact

    for _ in range(count):
        order_place(customer=consumer, lines=[LineRequest("AC-SPLIT", default_configuration("AC-SPLIT"), 1)],
                    delivery_address="1 Query Lane")
    assert len(steps.orders_plan(limit=count)) == count
    counted = [0, 0]

    def count_rows(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        counted[0] += 1
        if sql.lstrip().upper().startswith("SELECT"):
            counted[1] += max(0, context["cursor"].rowcount)
        return result

    with connection.execute_wrapper(count_rows):
        assert len(steps.orders_procure(limit=count)) == count
    assert_allocations_exact()
    return tuple(counted)


def test_buying_for_a_batch_costs_the_same_whatever_the_lines_carry_already(consumer, settings):
    # Every order buys on the same consolidated purchase-order lines: the lines carry more and more
    # allocations, but a batch reads only its own (and writes its timelines in one insert).
    Stock.objects.update(on_hand=0)
    Offer.objects.update(min_quantity=1)  # no round-up: no surplus for the next batch to take first
    procure_batch(consumer, 3)
    first = procure_batch(consumer, 3)
    procure_batch(consumer, 20)
    assert procure_batch(consumer, 3) == first
    queries, _ = procure_batch(consumer, 12)
    assert queries <= first[0] + 3, (first, queries)  # a few lazy reads of another supplier's order at most
