"""Scheduling a factory on PostgreSQL: instant placement, optimization runs (locked, idempotent, recorded),
the checker on every factory schedule, the no-overlap constraint, the planner's actions and bad input."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils.module_loading import import_string

from cosmo import clock
from orders.delivery import shipping_time
from orders.models import Order
from production import planning
from production.models import (
    Factory,
    Job,
    Line,
    MaintenanceWindow,
    Operation,
    ScheduleRun,
)
from production.routing import delivery_quote
from production.scheduler import check
from production.scheduling import due_from_promise, factory_problem
from tests.ordering import default_configuration, scheduled_orders
from tests.racing import run_at_once


pytestmark = pytest.mark.usefixtures("fresh_quotes")


@pytest.fixture
def factory(world):
    return Factory.objects.get(code="QD1")


def placements(factory) -> dict:
    return {
        op.pk: (op.line_id, op.planned_start, op.planned_end)
        for op in Operation.objects.filter(job__factory=factory, line__isnull=False)
    }


def assert_feasible(factory) -> None:
    """The schedule in the database passes the independent checker."""
    fp = factory_problem(factory)
    schedule, unplaced = fp.current()
    assert unplaced == []
    check(fp.problem, schedule)


def test_it_places_a_new_job_without_moving_the_others(consumer, factory):
    scheduled_orders(consumer, count=4)
    before = placements(factory)
    assert_feasible(factory)
    new = scheduled_orders(consumer, count=1)[0]
    after = placements(factory)
    assert {pk: after[pk] for pk in before} == before
    job = Job.objects.get(order_line__order=new)
    assert job.status == Job.Status.SCHEDULED and job.due_date is not None
    assert all(op.line_id for op in job.operations.all())
    assert_feasible(factory)


def tails(factory) -> dict:
    """Line id → when its last operation ends."""
    ends = {}
    for line_id, end in Operation.objects.filter(job__factory=factory, line__isnull=False).values_list("line_id", "planned_end"):
        ends[line_id] = max(ends.get(line_id, end), end)
    return ends


def test_a_large_factory_gets_new_jobs_after_the_last_operation_of_each_line(consumer, factory, settings):
    # Past COSMO_REPLAN_JOBS open jobs, placing reads only each line's last operation: the new jobs go
    # after it (and its changeover), nothing placed moves, and the plan still passes the checker.
    settings.COSMO_REPLAN_JOBS = 3
    scheduled_orders(consumer, count=5)
    before, ends = placements(factory), tails(factory)
    new = scheduled_orders(consumer, count=3)
    after = placements(factory)
    assert {pk: after[pk] for pk in before} == before
    for op in Operation.objects.filter(job__order_line__order__in=new):
        assert op.line_id is not None and op.planned_start >= ends.get(op.line_id, op.planned_start)
    assert Job.objects.filter(order_line__order__in=new, status=Job.Status.SCHEDULED).count() == 3
    assert_feasible(factory)


def test_placing_in_a_large_factory_reads_the_same_whatever_its_backlog(consumer, factory, settings):
    settings.COSMO_REPLAN_JOBS = 1

    def place_one() -> tuple[int, int]:
        """(queries, rows read) to place one job again."""
        order = scheduled_orders(consumer, count=1)[0]
        job = Job.objects.select_related("order_line__order").get(order_line__order=order)
        Operation.objects.filter(job=job).update(line=None, planned_start=None, planned_end=None)
        counted = [0, 0]

        def count(execute, sql, params, many, context):
            result = execute(sql, params, many, context)
            counted[0] += 1
            if sql.lstrip().upper().startswith("SELECT"):
                counted[1] += max(0, context["cursor"].rowcount)
            return result

        with transaction.atomic(), connection.execute_wrapper(count):
            planning.jobs_place(factory_id=factory.pk, jobs=[job], not_before=clock.now())
        assert not job.operations.filter(line__isnull=True).exists()
        return tuple(counted)

    scheduled_orders(consumer, count=6)  # every line has work
    few = place_one()
    scheduled_orders(consumer, count=6)
    assert place_one() == few
    assert_feasible(factory)


def test_it_promises_a_date_when_the_order_is_planned(consumer, factory):
    order = scheduled_orders(consumer, count=1)[0]
    assert order.promised_date is not None
    # The quote allowed for the suppliers' lead times; the parts came at once here, so the order is
    # expected no later than it was promised.
    assert order.expected_date <= order.promised_date
    assert order.at_risk is False


def test_it_reaches_the_quote_through_the_setting(consumer, factory):
    quote = import_string(settings.COSMO_DELIVERY_QUOTE)
    today = clock.now().date()
    in_stock = quote("FRIDGE", default_configuration("FRIDGE"), 1)
    assert in_stock.factory_code == "QD1"  # the routed quote: the factory and its date
    assert in_stock.date >= today + timedelta(days=settings.COSMO_SHIPPING_DAYS)
    # More units need more parts than the stock holds, and more line time: never earlier.
    assert quote("FRIDGE", default_configuration("FRIDGE"), 12).date >= in_stock.date


def test_a_larger_quantity_is_never_promised_sooner(consumer, factory):
    # The speed of quoting is measured in bench/ctp.py; here, that the cached lines give consistent answers.
    scheduled_orders(consumer, count=12, quantity=3)
    configuration = default_configuration("AC-SPLIT")
    dates = [delivery_quote("AC-SPLIT", configuration, quantity) for quantity in range(1, 41)]
    assert dates == sorted(dates)


def test_it_records_an_optimization_run_and_keeps_the_schedule_feasible(consumer, factory, django_capture_on_commit_callbacks):
    scheduled_orders(consumer, count=6)
    with django_capture_on_commit_callbacks() as callbacks:
        run = planning.run_request(factory=factory, trigger=ScheduleRun.Trigger.ON_DEMAND, time_limit=2)
    assert len(callbacks) == 1
    # Asking again while it is queued batches into the same run.
    assert planning.run_request(factory=factory, trigger=ScheduleRun.Trigger.PERIODIC) == run
    assert planning.run_execute(run.pk) is True
    run.refresh_from_db()
    assert run.status == ScheduleRun.Status.DONE and run.solver_status in ("OPTIMAL", "FEASIBLE")
    assert run.progress == 1.0 and run.seconds > 0
    assert set(run.objective) == {"weighted_tardiness", "changeover", "makespan"}
    for kpis in (run.kpis_before, run.kpis_after):
        assert {"utilization", "on_time_rate", "changeover_hours", "wip", "mean_lead_time_days"} <= set(kpis)
    # The lexicographic objective never ends worse than the schedule it started from.
    assert (run.kpis_after["late_jobs"], run.kpis_after["changeover_hours"]) <= (
        run.kpis_before["late_jobs"],
        run.kpis_before["changeover_hours"],
    )
    assert_feasible(factory)
    # The task runs twice (a redelivery): the second changes nothing.
    snapshot = placements(factory)
    assert planning.run_execute(run.pk) is False
    assert placements(factory) == snapshot


def test_it_moves_only_what_has_not_started(consumer, factory):
    scheduled_orders(consumer, count=5)
    started = Operation.objects.filter(job__factory=factory).order_by("planned_start").first()
    started.started_at = started.planned_start
    started.save(update_fields=["started_at"])
    where = (started.line_id, started.planned_start, started.planned_end)
    run = planning.run_request(factory=factory, trigger=ScheduleRun.Trigger.ON_DEMAND, time_limit=1)
    assert planning.run_execute(run.pk)
    started.refresh_from_db()
    assert (started.line_id, started.planned_start, started.planned_end) == where
    assert_feasible(factory)


def test_it_allows_one_active_run_per_factory(factory):
    ScheduleRun.objects.create(factory=factory, number="QD1-A", trigger="on_demand", status="running")
    with pytest.raises(IntegrityError), transaction.atomic():
        ScheduleRun.objects.create(factory=factory, number="QD1-B", trigger="on_demand", status="queued")


@pytest.mark.django_db(transaction=True)
def test_it_lets_only_one_of_two_concurrent_task_deliveries_run(world):
    from cosmo.models import User

    consumer = User.objects.get(username="consumer")
    factory = Factory.objects.get(code="QD1")
    scheduled_orders(consumer, count=3)
    run = planning.run_request(factory=factory, trigger=ScheduleRun.Trigger.ON_DEMAND, time_limit=1)
    results, errors = run_at_once([lambda: planning.run_execute(run.pk)] * 2)
    assert errors == [] and sorted(results) == [False, True]
    assert ScheduleRun.objects.get(pk=run.pk).status == ScheduleRun.Status.DONE
    assert_feasible(factory)


def test_the_database_rejects_two_operations_overlapping_on_a_line(consumer, factory):
    scheduled_orders(consumer, count=2)
    first, second = Operation.objects.filter(job__factory=factory).order_by("pk")[:2]
    second.line, second.planned_start, second.planned_end = first.line, first.planned_start, first.planned_end
    with pytest.raises(IntegrityError), transaction.atomic():
        second.save()
        with connection.cursor() as cursor:  # the constraint is deferred to the commit: check it now
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def test_it_refuses_an_impossible_pin_and_changes_nothing(consumer, factory):
    order = scheduled_orders(consumer, count=3)[0]  # an air conditioner
    job = Job.objects.get(order_line__order=order)
    before = placements(factory)
    with pytest.raises(planning.PlanningError, match="Line 3 · Laundry cannot make Split air conditioner"):
        planning.job_pin(job=job, line=Line.objects.get(code="L3"))
    assert placements(factory) == before
    assert not Operation.objects.filter(job=job, pinned_line__isnull=False).exists()


def test_it_pins_a_job_to_a_line(consumer, factory):
    order = scheduled_orders(consumer, count=3)[0]
    job = Job.objects.get(order_line__order=order)
    line = Line.objects.get(code="L2")
    planning.job_pin(job=job, line=line)
    assert set(job.operations.values_list("line__code", flat=True)) == {"L2"}
    assert_feasible(factory)


def test_it_refuses_a_bad_priority(consumer, factory):
    job = Job.objects.get(order_line__order=scheduled_orders(consumer, count=1)[0])
    with pytest.raises(planning.PlanningError, match="from 1"):
        planning.job_prioritize(job=job, priority=12)
    planning.job_prioritize(job=job, priority=5)
    assert Job.objects.get(pk=job.pk).priority == 5


def test_it_refuses_a_maintenance_window_that_ends_before_it_starts(consumer, factory):
    scheduled_orders(consumer, count=2)
    before = placements(factory)
    start = clock.now() + timedelta(days=1)
    with pytest.raises(planning.PlanningError, match="ends .* before it starts"):
        planning.maintenance_apply(line=Line.objects.get(code="L1"), start=start, end=start - timedelta(hours=2))
    assert placements(factory) == before and not MaintenanceWindow.objects.exists()


def test_it_previews_then_applies_a_maintenance_window(consumer, factory):
    orders = scheduled_orders(consumer, count=6)
    # Block the busiest line over the whole time its operations are planned.
    busiest = Operation.objects.filter(job__factory=factory).values("line").order_by("line").first()["line"]
    line = Line.objects.get(pk=busiest)
    # The other lines are down for a month, so what the window displaces cannot escape to them (how much
    # room they had would otherwise depend on the hour the test runs at).
    first = Operation.objects.filter(job__factory=factory).order_by("planned_start").first().planned_start
    for other in Line.objects.filter(factory=factory).exclude(pk=line.pk):
        planning.maintenance_apply(line=other, start=first - timedelta(hours=1), end=first + timedelta(days=30),
                                   reason="overhaul")
    ops = Operation.objects.filter(line=line).order_by("planned_start")
    start, end = ops.first().planned_start - timedelta(hours=1), ops.last().planned_end + timedelta(days=3)
    # Every order is promised for the day its jobs are planned to end now, so the window makes some late.
    tz = ZoneInfo(factory.timezone)
    for order in orders:
        finish = Operation.objects.filter(job__order_line__order=order).order_by("-planned_end").first().planned_end
        promised = (finish + shipping_time()).astimezone(tz).date()
        Order.objects.filter(pk=order.pk).update(promised_date=promised, at_risk=False)
        Job.objects.filter(order_line__order=order).update(due_date=due_from_promise(promised, tz))
    before = placements(factory)
    preview = planning.maintenance_preview(line=line, start=start, end=end)
    assert preview.delayed and preview.going_late
    assert placements(factory) == before  # a preview changes nothing
    planning.maintenance_apply(line=line, start=start, end=end, reason="bearing")
    for op in Operation.objects.filter(line=line):
        assert op.planned_end <= start or op.planned_start >= end
    assert_feasible(factory)
    late = {d.order for d in preview.going_late}
    assert Order.objects.filter(number__in=late, at_risk=True).count() == len(late)


def test_it_optimizes_periodically_only_the_factories_whose_schedule_changed(consumer, factory, settings):
    settings.COSMO_OPTIMIZE_SECONDS = 1
    assert planning.schedules_optimize_changed() == []  # nothing scheduled yet
    scheduled_orders(consumer, count=2)
    (run,) = planning.schedules_optimize_changed()
    assert run.trigger == ScheduleRun.Trigger.PERIODIC
    assert planning.run_execute(run.pk)
    assert planning.schedules_optimize_changed() == []
    scheduled_orders(consumer, count=1)  # a new job arrived: the next beat optimizes again
    assert len(planning.schedules_optimize_changed()) == 1


def test_a_quote_keeps_the_place_of_a_job_waiting_for_its_parts(consumer, factory):
    from lifecycle import steps
    from orders.services import LineRequest, order_place
    from production.promise import _floor
    from suppliers.models import PurchaseOrderLine

    # Three units, two compressors on the shelf: the order buys one and waits in materials for it.
    order = order_place(
        customer=consumer,
        lines=[LineRequest("AC-SPLIT", default_configuration("AC-SPLIT"), 3)],
        delivery_address="1 Test Street",
    )
    assert steps.order_plan(order.pk) and steps.order_procure(order.pk)
    job = Job.objects.get(order_line__order=order)
    assert job.release_date is None and not job.operations.filter(line__isnull=False).exists()
    arrival = max(PurchaseOrderLine.objects.filter(allocations__requirement__order_line__job=job).values_list(
        "expected_date", flat=True
    ))

    floor = _floor(factory).floor
    held = sorted(
        (start, end) for timeline in floor.timelines for start, end in zip(timeline.starts, timeline.ends)
    )
    fp = factory_problem(factory)
    assert len(held) == job.operations.count()  # nothing else is scheduled: only the waiting job's places
    assert fp.at(held[0][0]) >= arrival  # from when its parts are expected


@pytest.mark.parametrize("policy", ["optimized", "fifo"])
def test_a_new_job_is_placed_when_the_operation_in_hand_overran_into_the_next_changeover(
    consumer, factory, settings, policy
):
    settings.COSMO_PLANNING_POLICY = policy
    scheduled_orders(consumer, count=4, quantity=1)
    fp = factory_problem(factory)
    current, _ = fp.current()
    # Two operations of different variants that follow each other on a line, with a changeover between.
    for line, ps in current.by_line().items():
        pairs = [
            (a, b) for a, b in zip(ps, ps[1:])
            if fp.problem.lines[line].changeover(fp.problem.jobs[a.job].variant, fp.problem.jobs[b.job].variant) > 1
        ]  # fmt: skip
        if pairs:
            a, b = pairs[0]
            break
    in_hand, following = fp.operations[a.job][a.op], fp.operations[b.job][b.op]
    # The clock reaches the middle of the changeover while the operation in hand still runs; everything
    # else went as planned.
    now = in_hand.planned_end + (following.planned_start - in_hand.planned_end) / 2
    Operation.objects.filter(planned_end__lte=now).update(started_at=F("planned_start"), ended_at=F("planned_end"))
    Operation.objects.filter(planned_start__lte=now, planned_end__gt=now).update(started_at=F("planned_start"))
    Operation.objects.filter(pk=in_hand.pk).update(started_at=in_hand.planned_start, ended_at=None)
    clock.reset(start=now, speed=0)
    scheduled_orders(consumer, count=1, quantity=1)
    assert_feasible(factory)
    following.refresh_from_db()
    assert following.planned_start >= clock.now() + timedelta(minutes=1)


def test_a_run_whose_floor_moved_meanwhile_writes_a_plan_that_passes_the_checker(consumer, factory):
    # What happens between a run's read of the factory and its write: the floor starts an operation
    # later than planned (frozen where it really runs now) and a planner takes a line down. The solved
    # plan pasted as it was would clash with both; the carry-over settles it.
    from production.scheduler import Placement, Schedule, solve, violations

    scheduled_orders(consumer, count=6)
    old = factory_problem(factory)
    solved = solve(old.problem, time_limit=1, workers=1).schedule
    first = Operation.objects.filter(job__factory=factory).order_by("planned_start").first()
    first.planned_start += timedelta(minutes=40)
    first.planned_end += timedelta(minutes=40)
    first.started_at = first.planned_start
    first.save(update_fields=["planned_start", "planned_end", "started_at"])
    line = first.line
    later = Operation.objects.filter(line=line).order_by("planned_start")
    MaintenanceWindow.objects.create(
        line=line, start=later.last().planned_start - timedelta(hours=2), end=later.last().planned_end + timedelta(hours=8)
    )
    new = factory_problem(factory)
    carried = planning._carry_over(old, solved, new)
    check(new.problem, carried)
    planning.schedule_write(new, carried)
    assert_feasible(factory)
    # Pasted as it was, the plan breaks the rules of the floor as it is now.
    index = {op.pk: (j, o) for j, ops in enumerate(new.operations) for o, op in enumerate(ops)}
    pasted = Schedule(
        {
            index[op.pk]: Placement(*index[op.pk], p.line, old.minutes(old.at(p.start)), old.minutes(old.at(p.end)))
            for j, ops in enumerate(old.operations)
            for o, op in enumerate(ops)
            if op.pk in index
            for p in [solved.placements[(j, o)]]
        }
    )
    assert violations(new.problem, pasted)


def test_a_plan_that_breaks_a_rule_is_refused_in_the_planners_words_and_nothing_changes(consumer, factory):
    from production.scheduler import InfeasibleSchedule, Placement, Schedule
    from production.scheduling import explain_findings, schedule_write

    scheduled_orders(consumer, count=4)
    fp = factory_problem(factory)
    current, _ = fp.current()
    before = placements(factory)
    # Two jobs of one line on top of each other.
    on_line = sorted((p for p in current.placements.values() if p.line == 0), key=lambda p: p.start)
    a, b = on_line[0], on_line[1]
    clash = dict(current.placements)
    clash[(b.job, b.op)] = Placement(b.job, b.op, b.line, a.start, a.start + (b.end - b.start))
    with pytest.raises(InfeasibleSchedule) as caught:
        with transaction.atomic():
            schedule_write(fp, Schedule(clash))
    text = explain_findings(fp, caught.value.findings)
    assert fp.lines[0].name in text
    assert fp.jobs[b.job].number in text and fp.jobs[b.job].order_line.order.number in text
    assert "job " + str(b.job) not in text  # no engine indices
    assert placements(factory) == before
