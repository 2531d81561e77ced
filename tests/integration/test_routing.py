"""Routing by promise on PostgreSQL, on the demo's three factories: each line goes to the factory that
delivers soonest to the consumer's region, the order keeps the quote the consumer saw, the admin's policy
change is honoured (and recorded), and an order split between factories ships when its last line arrives."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cosmo.models import Change
from lifecycle import steps
from lifecycle.floor import orders_complete, orders_ship
from orders.models import Order, Stage
from orders.services import LineRequest, OrderInvalid, order_place
from production.models import Job, Operation, RoutingPolicy, Stock
from production.routing import delivery_route, line_candidates
from tests.conftest import api_for, client_for
from tests.ordering import default_configuration

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_quotes")]


@pytest.fixture
def consumer(network_world):
    from cosmo.models import User

    return User.objects.get(username="consumer")


def route(family, region):
    return delivery_route(family, default_configuration(family), 1, region)


def test_each_region_is_served_by_the_factory_that_delivers_there_soonest(consumer):
    # Qingdao has two of each part on its shelves, less than the default air conditioner takes of pipe:
    # it waits for a supplier, while Hefei has the parts, so Hefei delivers sooner even to North China.
    assert route("AC-SPLIT", "CN-N").factory_code == "HF1"
    Stock.objects.filter(factory__code="QD1").update(on_hand=1000)
    assert route("AC-SPLIT", "CN-N").factory_code == "QD1"  # parts in hand: next door, two days on the road
    assert route("AC-SPLIT", "CN-E").factory_code == "HF1"  # Hefei's lane is shorter there
    assert route("FRIDGE", "EU").factory_code == "EU1"  # Brugherio, three days against a month at sea
    assert route("WASHER", "CN-E").factory_code == "QD1"  # Hefei makes no washers
    every = route("AC-SPLIT", "CN-E").candidates
    assert {c.code for c in every} == {"QD1", "HF1"}  # Brugherio makes no air conditioners
    assert every[0].delivery == min(c.delivery for c in every)


def test_the_policy_an_administrator_saves_is_honoured_and_recorded(consumer):
    from cosmo.models import User

    admin = User.objects.get(username="admin")
    policy = RoutingPolicy.objects.get()
    response = client_for(admin).post(
        f"/admin/production/routingpolicy/{policy.pk}/change/",
        {"policy": "cheapest_within", "within_days": "60", "reroute": "on", "reroute_gain_days": "1"},
    )
    assert response.status_code == 302
    assert Change.objects.filter(object_type="production.routingpolicy").exists()
    family_config = default_configuration("FRIDGE")
    from orders.models import ProductFamily

    family = ProductFamily.objects.get(code="FRIDGE")
    candidates = line_candidates(family, family_config, 1, None)
    cheapest = min(candidates, key=lambda c: (c.cost, c.delivery, c.code))
    assert route("FRIDGE", "CN-N").factory_code == cheapest.code


def test_the_order_keeps_the_quote_the_consumer_saw(consumer):
    answer = api_for(consumer).post(
        "/api/families/AC-SPLIT/check/",
        {"selection": default_configuration("AC-SPLIT"), "quantity": 1, "region": "CN-E"}, format="json",
    ).json()
    assert answer["factory"] == "HF1" and answer["factory_name"] == "Hefei Air Conditioner Factory"
    placed = api_for(consumer).post(
        "/api/orders/",
        {"delivery_address": "8 Huangshan Road, Hefei", "region": "CN-E",
         "lines": [{"family": "AC-SPLIT", "configuration": default_configuration("AC-SPLIT"), "quantity": 1}]},
        format="json",
    ).json()
    assert placed["region"] == "CN-E"
    assert placed["lines"][0]["factory"] == "HF1"
    assert placed["lines"][0]["quoted_date"] == answer["promised_date"] == placed["promised_date"]
    order = Order.objects.get(number=placed["number"])
    assert steps.order_plan(order.pk)
    job = Job.objects.get(order_line__order=order)
    assert job.factory.code == "HF1" and job.shipping_days == 2
    texts = [entry.text for entry in order.timeline.all()]
    assert any("made in Hefei Air Conditioner Factory" in text for text in texts), texts


def test_an_unknown_region_is_refused_and_nothing_is_placed(consumer):
    response = api_for(consumer).post(
        "/api/orders/",
        {"delivery_address": "x", "region": "MARS",
         "lines": [{"family": "AC-SPLIT", "configuration": default_configuration("AC-SPLIT"), "quantity": 1}]},
        format="json",
    )
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "region"
    with pytest.raises(OrderInvalid):
        order_place(customer=consumer, lines=[LineRequest("AC-SPLIT", default_configuration("AC-SPLIT"), 1)],
                    delivery_address="x", region="MARS")
    assert not Order.objects.exists()


def test_a_split_order_ships_when_its_last_line_arrives(consumer):
    order = order_place(
        customer=consumer,
        lines=[LineRequest("AC-SPLIT", default_configuration("AC-SPLIT"), 1),
               LineRequest("FRIDGE", default_configuration("FRIDGE"), 1)],
        delivery_address="8 Huangshan Road, Hefei", region="CN-E",
    )
    assert [line.factory_code for line in order.placed_lines] == ["HF1", "QD1"]
    assert steps.order_plan(order.pk)
    texts = [entry.text for entry in order.timeline.all()]
    assert any("made in Hefei" in t for t in texts) and any("made in Qingdao" in t for t in texts)
    assert any("ships when the last of them arrives" in t for t in texts)
    jobs = {job.factory.code: job for job in Job.objects.filter(order_line__order=order).select_related("factory")}
    assert (jobs["HF1"].shipping_days, jobs["QD1"].shipping_days) == (2, 3)
    # Both made: Hefei's line ends first, Qingdao's a day later; Qingdao's lane is a day longer too.
    t0 = timezone.now().replace(microsecond=0)
    for code, end in (("HF1", t0), ("QD1", t0 + timedelta(days=1))):
        Operation.objects.filter(job=jobs[code]).update(started_at=end - timedelta(hours=1), ended_at=end)
    Job.objects.filter(order_line__order=order).update(status=Job.Status.DONE)
    Order.objects.filter(pk=order.pk).update(stage=Stage.IN_PRODUCTION)
    assert orders_complete([jobs["HF1"].pk, jobs["QD1"].pk], "Asia/Shanghai") == 1
    order.refresh_from_db()
    assert order.stage == Stage.COMPLETED
    # Hefei's line has arrived (t0 + 2 days) but Qingdao's arrives at t0 + 1 + 3 days.
    assert orders_ship(now=t0 + timedelta(days=3)) == 0
    assert orders_ship(now=t0 + timedelta(days=4) - timedelta(minutes=1)) == 0
    assert orders_ship(now=t0 + timedelta(days=4)) == 1
    order.refresh_from_db()
    assert order.stage == Stage.SHIPPED
    assert order.expected_date == (t0 + timedelta(days=4)).astimezone(timezone.get_fixed_timezone(480)).date()


def test_buying_counts_a_far_supplier_s_way_as_the_quote_does(network_world, settings):
    from cosmo import clock
    from production.models import Factory
    from suppliers.models import Offer
    from suppliers.sourcing import OfferBook

    settings.COSMO_FAR_SUPPLIER_DAYS = 6
    offer = Offer.objects.filter(active=True, supplier__near__isnull=False).select_related("supplier").first()
    here = offer.supplier.near
    far = Factory.objects.exclude(pk=here.pk).first()
    now = clock.now()
    book = OfferBook([offer.part_id], now=now)
    arrival = {
        factory.code: next(q.arrival for q in book.quotes(offer.part_id, offer.min_quantity, now=now, factory_id=factory.pk)
                           if q.offer.pk == offer.pk)
        for factory in (here, far)
    }
    # The same offer reaches the factory it sits next to by its lead time, another one six days later.
    assert arrival[far.code] - arrival[here.code] == timedelta(days=6)
