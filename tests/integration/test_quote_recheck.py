"""What the web tier keeps per process for quotes and order intake (regions, families, stock and offers,
the lines, the routes weighed on them) is read again within COSMO_QUOTE_RECHECK_SECONDS: a change made
elsewhere (another process, a worker, a bulk update) is seen by the next quote and order after that
interval, and a region saved here at once."""

import time

import pytest

from orders.models import Region
from production.models import Stock
from production.routing import delivery_route
from tests.conftest import api_for
from tests.ordering import default_configuration

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_quotes")]

RECHECK = 30.0


@pytest.fixture
def consumer(network_world, settings):
    from cosmo.models import User

    settings.COSMO_QUOTE_RECHECK_SECONDS = RECHECK
    return User.objects.get(username="consumer")


@pytest.fixture
def later(monkeypatch):
    """Moves this process's monotonic clock on (what the per-process copies measure their age by)."""
    offset = [0.0]
    real = time.monotonic
    monkeypatch.setattr(time, "monotonic", lambda: real() + offset[0])

    def advance(seconds: float) -> None:
        offset[0] += seconds

    return advance


def place(consumer, region: str):
    return api_for(consumer).post(
        "/api/orders/",
        {"delivery_address": "8 Huangshan Road, Hefei", "region": region,
         "lines": [{"family": "AC-SPLIT", "configuration": default_configuration("AC-SPLIT"), "quantity": 1}]},
        format="json",
    )


def test_a_region_renamed_elsewhere_is_seen_after_the_recheck_and_one_saved_here_at_once(consumer, later):
    assert place(consumer, "CN-E").status_code == 201
    # Another process renames the region (no signal reaches this one).
    Region.objects.filter(code="CN-E").update(code="CN-EAST")
    later(RECHECK + 1)
    refused = place(consumer, "CN-E")
    assert refused.status_code == 400 and refused.json()["errors"][0]["field"] == "region"
    assert place(consumer, "CN-EAST").json()["region"] == "CN-EAST"
    # Saved in this process: forgotten at once, without waiting for the interval.
    region = Region.objects.get(code="CN-EAST")
    region.code = "CN-E"
    region.save()
    assert place(consumer, "CN-EAST").status_code == 400
    assert place(consumer, "CN-E").status_code == 201


def test_the_default_region_moved_is_seen_by_an_order_naming_none(consumer, later):
    default = Region.default()
    assert place(consumer, "").json()["region"] == default.code
    other = Region.objects.exclude(pk=default.pk).order_by("code").first()
    Region.objects.update(is_default=False)
    Region.objects.filter(pk=other.pk).update(is_default=True)
    later(RECHECK + 1)
    assert place(consumer, "").json()["region"] == other.code


def test_stock_received_elsewhere_moves_the_route_after_the_recheck(consumer, later):
    # Qingdao lacks parts for the default air conditioner: Hefei, which has them, delivers sooner.
    assert delivery_route("AC-SPLIT", default_configuration("AC-SPLIT"), 1, "CN-N").factory_code == "HF1"
    Stock.objects.filter(factory__code="QD1").update(on_hand=1000)
    later(RECHECK + 1)
    assert delivery_route("AC-SPLIT", default_configuration("AC-SPLIT"), 1, "CN-N").factory_code == "QD1"
    answer = place(consumer, "CN-N").json()
    assert answer["lines"][0]["factory"] == "QD1"


def test_a_policy_saved_is_followed_by_the_next_order_after_the_recheck(consumer, later):
    from orders.models import ProductFamily
    from production.models import RoutingPolicy
    from production.routing import line_candidates

    configuration = default_configuration("FRIDGE")
    fastest = delivery_route("FRIDGE", configuration, 1, "EU")  # Brugherio: days, not a month at sea
    policy = RoutingPolicy.objects.get()
    policy.policy, policy.within_days = "cheapest_within", 60
    policy.save()
    later(RECHECK + 1)
    family = ProductFamily.objects.get(code="FRIDGE")
    region = Region.objects.get(code="EU")
    candidates = line_candidates(family, configuration, 1, region)
    earliest = min(c.delivery for c in candidates)
    cheapest = min((c for c in candidates if (c.delivery - earliest).days <= 60), key=lambda c: (c.cost, c.delivery, c.code))
    assert cheapest.code != fastest.factory_code  # the policy changes the route
    answer = api_for(consumer).post(
        "/api/orders/",
        {"delivery_address": "Via Roma 1, Milano", "region": "EU",
         "lines": [{"family": "FRIDGE", "configuration": configuration, "quantity": 1}]},
        format="json",
    ).json()
    assert answer["lines"][0]["factory"] == cheapest.code


def test_lines_filled_meanwhile_move_the_quote_after_the_recheck(world, settings, later):
    from cosmo.models import User
    from tests.ordering import scheduled_orders

    settings.COSMO_QUOTE_RECHECK_SECONDS = RECHECK
    configuration = default_configuration("AC-SPLIT")
    before = delivery_route("AC-SPLIT", configuration, 1).date  # its parts in stock: the lines decide
    # Orders planned, bought for and placed on Qingdao's lines (the schedule's version moves).
    scheduled_orders(User.objects.get(username="consumer"), count=12, quantity=6)
    later(RECHECK + 1)
    remembered = delivery_route("AC-SPLIT", configuration, 1).date
    settings.COSMO_QUOTE_RECHECK_SECONDS = 0  # a quote that reads everything afresh
    assert remembered == delivery_route("AC-SPLIT", configuration, 1).date > before
