"""The consumer's order page reads in words: the chosen options, the stages, a timeline in order."""

import re
from datetime import timedelta

from cosmo import clock
from orders.models import Stage
from orders.services import LineRequest, order_place
from orders.timeline import timeline_add
from tests.conftest import client_for
from tests.ordering import default_configuration


def test_the_order_page_shows_options_by_name_stages_and_a_timeline_in_order(consumer):
    order = order_place(customer=consumer, lines=[LineRequest("AC-SPLIT", default_configuration("AC-SPLIT"), 1)],
                        delivery_address="1 Test Street")
    timeline_add(order=order, event="materials_in")
    # the floor reports an operation that started before the last entry was written: it is not put first
    timeline_add(order=order, event="operation_started", operation="Assemble indoor unit", line="L1",
                 at="2031-03-03 02:00", happened_at=clock.now() - timedelta(hours=3))
    timeline_add(order=order, event="line_rejected", supplier="Qingdao Compressor Works", po="PO-123",
                 part="CMP-26", part_name="Rotary compressor 2.6 kW", reason="no stock")
    body = client_for(consumer).get(f"/shop/orders/{order.number}/").content.decode()
    texts = re.findall(r'<li><span class="muted">[^<]*</span> ([^<]*)(?:<span class="muted actor">[^<]*</span>)?</li>', body)
    texts = [text.strip() for text in texts]
    assert texts[0].startswith("Order placed") and texts[1].startswith("All parts are in")
    assert texts[2] == "In production: Assemble indoor unit started at 2031-03-03 02:00."
    assert "cannot supply the Rotary compressor 2.6 kW" in texts[3] and "PO-123" not in body and "CMP-26" not in body
    assert "2.6 kW inverter compressor" in body and "Cooling capacity" in body
    assert re.search(r'<li class="current" aria-current="step">Accepted</li>', body)
    assert order.stage == Stage.ACCEPTED


def test_a_waiting_order_never_reads_arriving_on_a_day_gone(consumer):
    """What an order waits for names the supplier and what it still has to do; once the day expected has
    passed, the sentence says the supplier is late instead of "arriving" or "expected by" a past day."""
    from lifecycle import steps

    order = order_place(customer=consumer, lines=[LineRequest("AC-SPLIT", default_configuration("AC-SPLIT"), 40)],
                        delivery_address="1 Test Street")
    steps.order_plan(order.pk)
    steps.order_procure(order.pk)
    order.refresh_from_db()
    assert order.stage == Stage.MATERIALS
    page = client_for(consumer).get(f"/shop/orders/{order.number}/").content.decode()
    assert "Waiting for Qingdao Compressor Works to confirm the rotary compressor" in page
    assert "expected by" in page and "is late" not in page and "CMP-" not in page

    clock.reset(start=clock.now() + timedelta(days=30), speed=0)
    page = client_for(consumer).get(f"/shop/orders/{order.number}/").content.decode()
    waiting = page[page.index('class="waiting-on"'):page.index("Production starts as soon")]
    assert "Qingdao Compressor Works" in waiting and "its answer is late" in waiting
    assert "expected by" not in waiting and "arriving" not in waiting
