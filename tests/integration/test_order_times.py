"""The consumer reads every time of an order in the factory's local time, labelled: the time beside a timeline
entry agrees with the times written in it, and My orders shows the same placing time."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Max

from cosmo import clock
from lifecycle.floor import factory_tick
from production.models import Factory, Operation
from tests.conftest import client_for
from tests.ordering import scheduled_orders

QD1_TIME = ZoneInfo("Asia/Shanghai")
MINUTE = r"(\d{4}-\d\d-\d\d \d\d:\d\d)"


def _entries(html: str) -> list[tuple[datetime, str]]:
    """The timeline as the consumer reads it: the time beside each entry, and its text."""
    return [
        (datetime.strptime(at, "%Y-%m-%d %H:%M"), text)
        for at, text in re.findall(
            rf'<li><span class="muted">{MINUTE}</span> ([^<]+?)(?: <span class="muted actor">[^<]*</span>)?</li>', html
        )
    ]


def _written(text: str) -> datetime:
    return datetime.strptime(re.search(MINUTE, text).group(1), "%Y-%m-%d %H:%M")


def _local(moment: datetime) -> datetime:
    return moment.astimezone(QD1_TIME).replace(tzinfo=None, second=0, microsecond=0)


def test_the_order_page_shows_factory_time_and_its_entries_agree_with_their_texts(consumer):
    # Monday 05:00 at QD1 is 21:00 on Sunday in UTC: a page in the wrong zone shows another hour and day.
    clock.reset(start=datetime(2031, 3, 3, 5, 0, tzinfo=QD1_TIME), speed=0)
    order = scheduled_orders(consumer, count=1, quantity=1)[0]
    operations = Operation.objects.filter(job__order_line__order=order)
    planned_end = operations.aggregate(end=Max("planned_end"))["end"]
    factory = Factory.objects.get(code="QD1")
    step = timedelta(minutes=30)
    moment = clock.now()
    while operations.filter(ended_at__isnull=True).exists():
        moment += step
        clock.reset(start=moment, speed=0)
        factory_tick(factory_id=factory.pk, now=moment)

    html = client_for(consumer).get(f"/shop/orders/{order.number}/").content.decode()
    assert "Times are the factory's local time (Asia/Shanghai)." in html
    entries = _entries(html)
    assert len(entries) == order.timeline.count()
    placed_at, placed = entries[0]
    assert placed.startswith("Order placed") and placed_at == datetime(2031, 3, 3, 5, 0)
    (scheduled_at, scheduled), = [(at, text) for at, text in entries if text.startswith("Production scheduled")]
    assert _written(scheduled) == _local(planned_end) and scheduled_at == datetime(2031, 3, 3, 5, 0)
    started = [(at, text) for at, text in entries if text.startswith("In production")]
    assert len(started) == operations.count()
    for (at, text), op in zip(started, operations.order_by("started_at")):
        # Said by the tick after the operation started, in the same zone as the start written in it.
        assert _written(text) == _local(op.started_at) and timedelta(0) <= at - _written(text) <= step
    (finished_at, finished), = [(at, text) for at, text in entries if text.startswith("Production finished")]
    assert timedelta(0) <= finished_at - _written(finished) <= step

    listed = client_for(consumer).get("/shop/orders/").content.decode()
    assert "2031-03-03 05:00" in listed and "Asia/Shanghai" in listed
