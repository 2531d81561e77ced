"""The simulated floor on the database: a tick writes actual starts and ends, line states, breakdowns and
energy; orders move to in production, completed and shipped; a tick run twice changes nothing."""

from datetime import timedelta

from cosmo import clock
from lifecycle.floor import factory_tick, orders_ship
from orders.models import Stage
from production.models import (
    Breakdown,
    Factory,
    FactorySimulation,
    Job,
    LineInterval,
    Operation,
)
from tests.ordering import scheduled_orders


def _rows():
    return (
        sorted(Operation.objects.values_list("pk", "started_at", "ended_at")),
        sorted(LineInterval.objects.values_list("line", "state", "start", "end", "operation")),
        sorted(Breakdown.objects.values_list("line", "start", "end", "cause")),
        FactorySimulation.objects.values_list("until", "state", "minutes", "energy_kwh").get(),
        sorted(Job.objects.values_list("pk", "status")),
    )


def test_it_builds_the_orders_and_ships_them_after_the_shipping_time(consumer):
    orders = scheduled_orders(consumer, count=3, quantity=1)
    factory = Factory.objects.get(code="QD1")
    start = clock.now()
    factory_tick(factory_id=factory.pk, now=start)
    last_end = max(Operation.objects.values_list("planned_end", flat=True))
    hour = start
    while hour < last_end + timedelta(days=3):
        hour += timedelta(hours=6)
        factory_tick(factory_id=factory.pk, now=hour)
    assert not Operation.objects.filter(ended_at__isnull=True).exists()
    for op in Operation.objects.all():
        assert op.started_at < op.ended_at
        # The record says where it really ran, and the plan keeps what happened.
        assert set(LineInterval.objects.filter(operation=op, state="running").values_list("line", flat=True)) == {op.line_id}
        assert (op.planned_start, op.planned_end) == (op.started_at, op.ended_at)
    for order in orders:
        order.refresh_from_db()
        events = list(order.timeline.values_list("event", flat=True))
        assert order.stage == Stage.SHIPPED, (order.number, order.stage)
        assert "operation_started" in events and events.index("completed") < events.index("shipped")
    states = set(LineInterval.objects.values_list("state", flat=True))
    assert {"running", "idle"} <= states
    simulation = FactorySimulation.objects.get(factory=factory)
    assert sum(simulation.energy_kwh.values()) > 0
    assert set(Job.objects.values_list("status", flat=True)) == {Job.Status.DONE}


def test_a_tick_run_twice_changes_nothing(consumer):
    scheduled_orders(consumer, count=2, quantity=1)
    factory = Factory.objects.get(code="QD1")
    start = clock.now()
    factory_tick(factory_id=factory.pk, now=start)
    moment = start + timedelta(hours=30)
    assert factory_tick(factory_id=factory.pk, now=moment) is not None
    before = _rows()
    assert factory_tick(factory_id=factory.pk, now=moment) is None
    assert factory_tick(factory_id=factory.pk, now=moment - timedelta(hours=1)) is None
    assert _rows() == before


def test_one_long_tick_and_many_short_ones_write_the_same_history(consumer):
    scheduled_orders(consumer, count=2, quantity=1)
    factory = Factory.objects.get(code="QD1")
    start = clock.now().replace(microsecond=0)
    plan = list(Operation.objects.all())
    factory_tick(factory_id=factory.pk, now=start)
    for k in range(1, 13):
        factory_tick(factory_id=factory.pk, now=start + timedelta(hours=4 * k))
    many = _rows()
    # The same world from its first tick, advanced in one step (the plan followed the floor: put it back).
    Operation.objects.bulk_update(plan, ["line", "planned_start", "planned_end"])
    Operation.objects.update(started_at=None, ended_at=None)
    LineInterval.objects.all().delete()
    Breakdown.objects.all().delete()
    FactorySimulation.objects.all().delete()
    Job.objects.update(status=Job.Status.SCHEDULED)
    factory_tick(factory_id=factory.pk, now=start)
    factory_tick(factory_id=factory.pk, now=start + timedelta(hours=48))
    one = _rows()
    assert one[0] == many[0] and one[2] == many[2]
    assert one[1] == many[1]


def test_nothing_ships_before_the_shipping_time(consumer):
    scheduled_orders(consumer, count=1, quantity=1)
    assert orders_ship() == 0


def test_it_asks_for_a_reschedule_once_when_reality_drifts(consumer, settings, django_capture_on_commit_callbacks):
    from production.models import Line, MaintenanceWindow, ScheduleRun

    settings.COSMO_DRIFT_MINUTES = 30
    scheduled_orders(consumer, count=2, quantity=1)
    factory = Factory.objects.get(code="QD1")
    start = clock.now()
    first = Operation.objects.order_by("planned_start").first().planned_start
    with django_capture_on_commit_callbacks():
        factory_tick(factory_id=factory.pk, now=start)
        # Every line stops for a day, unannounced, after the plan was made: the operations fall behind.
        for line in Line.objects.filter(factory=factory):
            MaintenanceWindow.objects.create(line=line, start=start, end=first + timedelta(days=1))
        result = factory_tick(factory_id=factory.pk, now=first + timedelta(hours=2))
        again = factory_tick(factory_id=factory.pk, now=first + timedelta(hours=2, minutes=10))
    assert result.reschedule and not again.reschedule
    assert ScheduleRun.objects.filter(factory=factory, trigger=ScheduleRun.Trigger.DRIFT).count() == 1


def test_the_plan_follows_the_floor_when_it_falls_behind(consumer):
    from orders.models import Order
    from production.models import Line, MaintenanceWindow
    from production.promise import forget_floors
    from production.routing import delivery_quote
    from tests.ordering import default_configuration

    orders = scheduled_orders(consumer, count=3, quantity=1)
    factory = Factory.objects.get(code="QD1")
    start = clock.now()
    factory_tick(factory_id=factory.pk, now=start)
    forget_floors()
    quote_before = delivery_quote("WASHER", default_configuration("WASHER"), 1)
    expected_before = {o.pk: Order.objects.get(pk=o.pk).expected_date for o in orders}
    # The floor stops for three days, unannounced: nothing planned can start before it is back.
    back = start + timedelta(days=3)
    for line in Line.objects.filter(factory=factory):
        MaintenanceWindow.objects.create(line=line, start=start, end=back)
    now = start + timedelta(hours=2)
    factory_tick(factory_id=factory.pk, now=now)
    waiting = Operation.objects.filter(started_at__isnull=True)
    assert waiting.exists()
    assert all(op.planned_start >= back.replace(second=0, microsecond=0) for op in waiting)
    for op in Operation.objects.filter(started_at__isnull=False, ended_at__isnull=True):
        assert op.planned_start == op.started_at and op.planned_end > now  # in hand: held up by the stop
    for op in Operation.objects.filter(ended_at__isnull=False):
        assert (op.planned_start, op.planned_end) == (op.started_at, op.ended_at)
    # The consumer's expected date and the next promise see the later floor.
    assert all(Order.objects.get(pk=o.pk).expected_date > expected_before[o.pk] for o in orders)
    forget_floors()
    assert delivery_quote("WASHER", default_configuration("WASHER"), 1) > quote_before


def test_lines_stand_by_with_nothing_planned_unless_told_to_stay_on(consumer, settings):
    scheduled_orders(consumer, count=1, quantity=1)
    factory = Factory.objects.get(code="QD1")
    start = clock.now()
    for hours in (0, 24, 48):
        factory_tick(factory_id=factory.pk, now=start + timedelta(hours=hours))
    spent = FactorySimulation.objects.get(factory=factory).minutes
    assert sum(line.get("standby", 0) for line in spent.values()) > 0

    settings.COSMO_LINE_STANDBY = False
    FactorySimulation.objects.all().delete()
    for hours in (72, 96):
        factory_tick(factory_id=factory.pk, now=start + timedelta(hours=hours))
    spent = FactorySimulation.objects.get(factory=factory).minutes
    assert sum(line.get("standby", 0) for line in spent.values()) == 0
    assert sum(line.get("idle", 0) for line in spent.values()) > 0  # on through the shifts, drawing idle power


def test_the_followed_plan_never_puts_two_operations_of_a_line_on_top_of_each_other(consumer):
    from django.db import connection

    from production.models import LineSimulation

    LineSimulation.objects.filter(line__code="L2").update(mtbf_minutes=40, mttr_minutes=30)
    scheduled_orders(consumer, count=6, quantity=2)
    factory = Factory.objects.get(code="QD1")
    start = clock.now()
    for hours in (1, 3, 5, 8, 13):
        factory_tick(factory_id=factory.pk, now=start + timedelta(hours=hours, seconds=17))
        # PostgreSQL checks its no-overlap constraint (deferred to the commit) here and now.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
