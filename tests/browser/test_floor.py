"""A planner watches the simulated floor: each line's state and the operation in hand, the utilization chart,
the breakdowns, the orders at risk, and what happens to them if a line goes down."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Max
from playwright.sync_api import expect

from cosmo import clock
from lifecycle.demo import DEMO_PASSWORD
from lifecycle.floor import factory_tick
from production.models import (
    Breakdown,
    Factory,
    FactorySimulation,
    Job,
    Line,
    LineInterval,
    LineSimulation,
    Operation,
)
from tests.browser.conftest import log_in
from tests.ordering import scheduled_orders

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QD1_TIME = ZoneInfo("Asia/Shanghai")
STATE_WORDS = {
    "running": "running",
    "changeover": "changeover",
    "idle": "idle",
    "standby": "standby (nothing planned)",
    "down": "down",
    "off": "off shift",
    "stopped": "minor stop",
}


def _monday_morning() -> datetime:
    """05:00 factory time on the coming Monday: every line's shift calendar is known from there."""
    today = clock.now().astimezone(QD1_TIME).date()
    monday = today + timedelta(days=7 - today.weekday())
    return datetime(monday.year, monday.month, monday.day, 5, 0, tzinfo=QD1_TIME)


def _orders_with_work_left_on(line_code: str) -> set[str]:
    return set(
        Operation.objects.filter(line__code=line_code, ended_at__isnull=True).values_list(
            "job__order_line__order__number", flat=True
        )
    )


@pytest.fixture
def floor_after_a_morning(consumer):
    """Six orders scheduled on QD1 from Monday 05:00, Line 2 failing every 40 running minutes or so, and the
    floor run until 10:00; then the next order due off Line 2 is found promised with no slack at all."""
    clock.reset(start=_monday_morning(), speed=1)
    LineSimulation.objects.filter(line__code="L2").update(mtbf_minutes=40, mttr_minutes=30)
    scheduled_orders(consumer, count=6, quantity=2)
    factory = Factory.objects.get(code="QD1")
    start = clock.now()
    for hours in (1, 3, 5):
        factory_tick(factory_id=factory.pk, now=start + timedelta(hours=hours))
    assert Breakdown.objects.filter(line__code="L2").exists()
    left_on_line_2 = Operation.objects.filter(line__code="L2", ended_at__isnull=True).order_by("planned_start")
    tight = left_on_line_2.select_related("job").first().job
    Job.objects.filter(pk=tight.pk).update(due_date=tight.operations.aggregate(end=Max("planned_end"))["end"])
    return tight.order_line.order.number


def test_it_shows_the_floor_and_a_line_down_puts_its_orders_at_risk(page, live_server, floor_after_a_morning):
    tight = floor_after_a_morning
    log_in(page, live_server, "planner", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/planner/QD1/floor/")
    until = FactorySimulation.objects.get(factory__code="QD1").until.astimezone(QD1_TIME)
    expect(page.get_by_role("heading", name="Lines now")).to_contain_text(f"simulated until {until:%Y-%m-%d %H:%M}")

    # Each line's state at the last tick, and the operation it has in hand, as the line recorded them.
    lines = {line.code: line.name for line in Line.objects.filter(factory__code="QD1")}
    assert list(lines) == ["L1", "L2", "L3"]
    for code, name in lines.items():
        row = page.locator(f"tr[data-line={code}]")
        last = LineInterval.objects.filter(line__code=code).select_related("operation__job").order_by("end").last()
        expect(row).to_contain_text(name)
        expect(row.locator("[data-state]")).to_have_text(STATE_WORDS[last.state])
        in_hand = row.locator("td").nth(2)
        if last.state in ("running", "changeover"):
            expect(in_hand).to_have_text(f"{last.operation.job.number} · {last.operation.name}")
        elif last.state in ("idle", "standby", "off"):
            expect(in_hand).to_have_text("—")
    expect(page.locator("[data-state=running], [data-state=changeover]").first).to_be_visible()

    chart = page.get_by_role("img", name="Utilization per line over the last 48 hours")
    expect(chart).to_be_visible()
    expect(chart.locator("polyline")).to_have_count(3)
    expect(chart.locator("polyline title")).to_have_text(list(lines.values()))

    # The latest breakdown first, in the factory's time.
    latest = Breakdown.objects.filter(line__code="L2").order_by("-start").first()
    start, end = latest.start.astimezone(QD1_TIME), latest.end.astimezone(QD1_TIME)
    breakdowns = page.get_by_role("heading", name="Breakdowns", exact=True).locator("..").locator("li")
    # Every time carries its zone, the factory's.
    expect(breakdowns.first).to_have_text(
        f"{lines['L2']}: {start:%Y-%m-%d %H:%M %Z} – {end:%Y-%m-%d %H:%M %Z} (failure)"
    )

    # The order promised with no slack on the failing line is at risk; the others have days in hand.
    on_line_3 = _orders_with_work_left_on("L3")
    assert on_line_3 - {tight}
    risks = page.locator("#risks tbody tr")
    expect(risks).to_have_count(1)
    expect(risks.first.locator("td").first).to_have_text(tight)
    assert int(risks.first.locator("td").nth(2).inner_text().rstrip(" %")) < 90

    # What if Line 3 stops now for a week, past every due date? The planner types factory time, as shown.
    down_from, down_to = f"{until:%Y-%m-%d %H:%M}", f"{until + timedelta(days=7):%Y-%m-%d %H:%M}"
    page.select_option("#id_line", "L3")
    page.fill("#id_start", down_from)
    page.fill("#id_end", down_to)
    page.get_by_role("button", name="What if?").click()

    expect(page.get_by_role("heading", name="Orders at risk")).to_contain_text(
        f"if {lines['L3']} is down from {down_from} CST to {down_to} CST"  # labelled with the factory's zone
    )
    expect(risks).to_have_count(len(on_line_3 | {tight}))
    for number in on_line_3:
        expect(risks.filter(has_text=number).locator("td").nth(2)).to_have_text("0 %")
    expect(risks.filter(has_text=tight)).to_have_count(1)
