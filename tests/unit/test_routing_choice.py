"""Routing decisions on plain data: the earliest delivery wins, the lower cost breaks a tie, and the policy
"cheapest within N days of the earliest" trades days for cost only within N."""

from datetime import date
from decimal import Decimal

from production.models import RoutingPolicy
from production.routing import Candidate, route_choose

EARLIEST = RoutingPolicy.Policy.EARLIEST
CHEAPEST_WITHIN = RoutingPolicy.Policy.CHEAPEST_WITHIN


def candidate(code: str, day: int, cost: str) -> Candidate:
    return Candidate(
        factory_id=hash(code) % 1000, code=code, name=code, time_zone="UTC", delivery=date(2026, 12, day),
        shipping_days=2, materials=Decimal(cost),
    )


def test_the_earliest_delivery_wins_whatever_it_costs():
    chosen = route_choose([candidate("QD1", 9, "500"), candidate("HF1", 8, "900")], policy=EARLIEST)
    assert chosen.code == "HF1"


def test_the_lower_cost_breaks_a_tie_on_the_date():
    chosen = route_choose(
        [candidate("QD1", 8, "510"), candidate("HF1", 8, "480"), candidate("EU1", 12, "100")], policy=EARLIEST
    )
    assert chosen.code == "HF1"


def test_a_full_tie_goes_to_the_first_factory_by_code():
    chosen = route_choose([candidate("QD1", 8, "500"), candidate("HF1", 8, "500")], policy=EARLIEST)
    assert chosen.code == "HF1"


def test_cheapest_within_n_days_takes_a_cheaper_factory_only_within_n():
    candidates = [candidate("HF1", 8, "700"), candidate("QD1", 9, "500"), candidate("EU1", 11, "100")]
    assert route_choose(candidates, policy=CHEAPEST_WITHIN, within_days=1).code == "QD1"
    assert route_choose(candidates, policy=CHEAPEST_WITHIN, within_days=0).code == "HF1"
    assert route_choose(candidates, policy=CHEAPEST_WITHIN, within_days=3).code == "EU1"


def test_the_cost_adds_materials_energy_and_shipping():
    c = Candidate(factory_id=1, code="QD1", name="Q", time_zone="UTC", delivery=date(2026, 12, 8), shipping_days=2,
                  materials=Decimal("100"), energy=Decimal("2.50"), shipping=Decimal("6"))
    assert c.cost == Decimal("108.50")


def test_no_candidate_no_route():
    assert route_choose([], policy=EARLIEST) is None
