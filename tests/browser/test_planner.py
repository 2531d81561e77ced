"""A planner opens the factory's plan, reads the Gantt over a day, a week and a month, pins, unpins and
sets priorities many times without a reload, previews maintenance counting the jobs waiting for
material, and reschedules with a live progress bar and a result told in words."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from cosmo import clock
from lifecycle import steps
from lifecycle.demo import DEMO_PASSWORD
from orders.models import Option
from orders.services import LineRequest, order_place
from production.models import Job, LineCapability, Operation, ScheduleRun
from tests.browser.conftest import log_in
from tests.ordering import default_configuration, scheduled_orders

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _watch_console(page) -> list[str]:
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" or "targetError" in m.text else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    return problems


def _boxes_overlap(boxes) -> bool:
    boxes = sorted((b for b in boxes if b), key=lambda b: b["x"])
    return any(a["x"] + a["width"] > b["x"] + 0.5 for a, b in zip(boxes, boxes[1:]))


def test_it_shows_the_gantt_and_reschedules_now(page, live_server, celery_worker_live, consumer, settings):
    settings.COSMO_OPTIMIZE_SECONDS = 4
    orders = scheduled_orders(consumer, count=5)
    problems = _watch_console(page)
    log_in(page, live_server, "planner", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/planner/QD1/")

    chart = page.locator("svg.gantt")
    expect(chart).to_be_visible()
    expect(chart.locator("text.line-name")).to_have_count(3)
    expect(chart.locator("rect.op").first).to_be_visible()
    assert chart.locator("rect.op").count() >= 5 * 4
    expect(chart.locator("rect.op title").first).to_contain_text("Order CO-")
    expect(page.locator("#jobs")).to_contain_text(orders[0].number)

    page.get_by_role("button", name="Reschedule now").click()
    expect(page.locator("#run progress")).to_be_visible()
    expect(page.locator("#run")).to_contain_text("Finished in", timeout=60_000)
    run = ScheduleRun.objects.get()
    assert run.status == ScheduleRun.Status.DONE and run.kpis_after
    # The result in the planner's words, in the objective's order; no raw solver status.
    report = page.locator("#run table.run-report")
    expect(report.locator("tbody tr").first).to_contain_text("weighted lateness")
    expect(report.locator("tbody tr").nth(1)).to_contain_text("changeover time")
    expect(page.locator("#run")).not_to_contain_text("FEASIBLE")
    expect(page.locator("#run")).not_to_contain_text("OPTIMAL")
    expect(page.locator("#run")).not_to_contain_text("done done")
    # The chart reloads itself once the run is done.
    expect(page.locator("svg.gantt rect.op").first).to_be_visible()
    assert problems == []


def test_the_gantt_fills_its_card_over_a_day_a_week_and_a_month(page, live_server, consumer):
    scheduled_orders(consumer, count=4)
    problems = _watch_console(page)
    page.set_viewport_size({"width": 1400, "height": 900})
    log_in(page, live_server, "planner", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/planner/QD1/")
    for horizon in ("Day", "Month", "Week"):
        page.locator("#gantt .horizons").get_by_role("button", name=horizon).click()
        chart = page.locator(f"svg.gantt[data-horizon={horizon.lower()}]")
        expect(chart).to_be_visible()
        card = page.locator("#gantt").bounding_box()
        assert chart.bounding_box()["width"] >= 0.9 * (card["width"] - 40), horizon
        # Day names and hour labels sit on their own rows and never overlap.
        assert not _boxes_overlap([t.bounding_box() for t in chart.locator("text.day-label").all()]), horizon
        assert not _boxes_overlap([t.bounding_box() for t in chart.locator("text.tick").all()]), horizon
    # Tooltips speak the catalog's words, and every time names its zone.
    title = page.locator("svg.gantt rect.op title").first.text_content()
    names = set(Option.objects.values_list("name", flat=True))
    assert any(name in title for name in names) and "CST" in title
    assert "REF_R32" not in title and "PANEL_WHITE" not in title
    expect(page.locator("h1 abbr.tz")).to_have_attribute("title", "Asia/Shanghai")
    for abbr in page.locator("abbr.tz").all():
        assert abbr.get_attribute("title") == "Asia/Shanghai"
    assert problems == []


def test_row_actions_work_again_and_again_and_answer_beside_their_row(page, live_server, consumer):
    scheduled_orders(consumer, count=4)
    problems = _watch_console(page)
    log_in(page, live_server, "planner", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/planner/QD1/")
    jobs = list(Job.objects.filter(status=Job.Status.SCHEDULED).select_related("order_line__family").order_by("pk"))
    first, second = jobs[0], jobs[1]

    # Only the lines that can make the product are offered.
    row = page.locator(f"tr[data-job={first.number}]")
    capable = sorted(LineCapability.objects.filter(family=first.order_line.family).values_list("line__code", flat=True))
    assert sorted(row.locator("select[name=line] option").all_inner_texts()) == capable
    other = next(code for code in capable if code != row.locator("select[name=line]").input_value())
    row.locator("select[name=line]").select_option(other)
    row.get_by_role("button", name="Pin").click()
    expect(page.locator(f"#answer-{first.number}")).to_contain_text("Pinned to")
    # The chart shows the pin.
    expect(page.locator(f"svg.gantt rect.op.pinned[data-job={first.number}]").first).to_be_visible()

    # Other rows' buttons still work, again and again, each answering in its own row.
    second_row = page.locator(f"tr[data-job={second.number}]")
    second_row.locator("select[name=priority]").select_option("7")
    second_row.get_by_role("button", name="Set priority").click()
    expect(page.locator(f"#answer-{second.number}")).to_contain_text("Priority raised from 1 to 7")
    second_row.locator("select[name=priority]").select_option("3")
    second_row.get_by_role("button", name="Set priority").click()
    expect(page.locator(f"#answer-{second.number}")).to_contain_text("Priority lowered from 7 to 3")
    row.locator("select[name=priority]").select_option("9")
    row.get_by_role("button", name="Set priority").click()
    expect(page.locator(f"#answer-{first.number}")).to_contain_text("Priority raised from 1 to 9")
    row.get_by_role("button", name="Pin").click()
    expect(page.locator(f"#answer-{first.number}")).to_contain_text("Pinned to")

    # After a reload the pin is on the row, and it can be undone.
    page.reload()
    row = page.locator(f"tr[data-job={first.number}]")
    expect(row.locator(".badge.pin")).to_contain_text("pinned to")
    row.get_by_role("button", name="Unpin").click()
    expect(page.locator(f"#answer-{first.number}")).to_contain_text("Unpinned")
    assert not Operation.objects.filter(job=first, pinned_line__isnull=False).exists()
    assert not [p for p in problems if "targetError" in p or "htmx" in p.lower()], problems


def test_a_maintenance_preview_and_a_what_if_count_jobs_waiting_for_material(page, live_server, consumer):
    scheduled_orders(consumer, count=2)
    # An air conditioner that waits for its compressor (the QCW supplier has not answered), made on L1 only.
    LineCapability.objects.filter(line__code="L2", family__code="AC-SPLIT").delete()
    waiting = order_place(
        customer=consumer, lines=[LineRequest("AC-SPLIT", default_configuration("AC-SPLIT"), 2)],
        delivery_address="1 Test Street",
    )
    steps.order_plan(waiting.pk)
    steps.order_procure(waiting.pk)
    log_in(page, live_server, "planner", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/planner/QD1/")
    form = page.locator("#maintenance form")
    local = clock.now().astimezone(__import__("zoneinfo").ZoneInfo("Asia/Shanghai"))
    form.locator("select[name=line]").select_option("L1")
    form.locator("input[name=start]").fill(local.strftime("%Y-%m-%dT%H:%M"))
    form.locator("input[name=end]").fill((local + timedelta(days=20)).strftime("%Y-%m-%dT%H:%M"))
    form.get_by_role("button", name="Preview").click()
    preview = page.locator("#maintenance .preview")
    expect(preview.locator(".waiting-hit")).to_contain_text("1 job waiting for material could need this line")
    expect(preview).to_contain_text(waiting.number)
    expect(preview).to_contain_text("no other line can make it")
    expect(preview).to_contain_text("goes late")
    expect(preview).not_to_contain_text("No order goes late")
    # The preview can be asked again (the form is still there); a window no job can live with says why.
    form = page.locator("#maintenance form")
    form.locator("input[name=end]").fill((local + timedelta(days=90)).strftime("%Y-%m-%dT%H:%M"))
    form.get_by_role("button", name="Preview").click()
    expect(page.locator("#maintenance")).to_contain_text("no line left to run on")
    form = page.locator("#maintenance form")
    form.locator("input[name=end]").fill((local + timedelta(days=20)).strftime("%Y-%m-%dT%H:%M"))
    form.get_by_role("button", name="Preview").click()
    expect(page.locator("#maintenance .preview .waiting-hit")).to_be_visible()

    page.goto(f"{live_server.url}/planner/QD1/floor/?line=L1&start={local:%Y-%m-%d %H:%M}"
              f"&end={(local + timedelta(days=20)):%Y-%m-%d %H:%M}")
    expect(page.locator("#waiting")).to_contain_text(waiting.number)
    expect(page.locator("body")).not_to_contain_text("Every open order is likely to be on time")
