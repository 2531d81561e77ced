"""Routing by promise: which factory makes an order line.

Every factory with a line able to make the family is a candidate. For each, its promise to the
consumer's region: the materials (its free stock, else the quickest offer, a supplier not next to it
taking `COSMO_FAR_SUPPLIER_DAYS` more), the making (the job placed after what its lines have scheduled,
as `production.promise` quotes it), a safety time and the days of its shipping lane to the region; and
its cost: materials (the cheapest offer of a supplier next to it, else any), energy (the routing's
minutes on its most frugal capable line at its running power and the factory's price per kWh) and
shipping (the lane's cost per unit). The policy in force (`RoutingPolicy`, in the admin) chooses:

- earliest: the earliest delivery date; the lower cost breaks a tie, then the factory code;
- cheapest within N days: the cheapest among those promising no later than N days after the earliest.

`delivery_route(family, configuration, quantity, region=None) -> Route` is what the configurator and the
order's intake call (setting `COSMO_DELIVERY_QUOTE`); `route_choose` is the decision alone, on plain data.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection

from cosmo import clock
from orders.models import OrderLine, ProductFamily, Region
from orders.regions import region_recent
from production.models import Part, RoutingPolicy, Stock
from production.promise import QuoteError, factory_finish, family_catalog, floor_stamp, safety_time

ZERO = Decimal("0")


@dataclass(frozen=True)
class Candidate:
    """One factory's promise and cost for an order line."""

    factory_id: int
    code: str
    name: str
    time_zone: str
    delivery: date  # in the factory's time zone, as the consumer reads the order's dates
    shipping_days: int
    materials: Decimal = ZERO
    energy: Decimal = ZERO
    shipping: Decimal = ZERO
    ready: datetime | None = None  # materials on hand
    finish: datetime | None = None  # made

    @property
    def cost(self) -> Decimal:
        return self.materials + self.energy + self.shipping


@dataclass(frozen=True)
class Route:
    """The factory chosen for a line, with every candidate weighed (chosen first)."""

    chosen: Candidate
    candidates: list[Candidate] = field(default_factory=list)

    @property
    def date(self) -> date:
        return self.chosen.delivery

    @property
    def factory_code(self) -> str:
        return self.chosen.code

    @property
    def factory_name(self) -> str:
        return self.chosen.name


def route_choose(candidates: list[Candidate], *, policy: str, within_days: int = 0) -> Candidate | None:
    """The candidate the policy picks (see the module's docstring); None without candidates."""
    if not candidates:
        return None
    if policy == RoutingPolicy.Policy.CHEAPEST_WITHIN:
        earliest = min(c.delivery for c in candidates)
        near = [c for c in candidates if c.delivery <= earliest + timedelta(days=within_days)]
        return min(near, key=lambda c: (c.cost, c.delivery, c.code))
    return min(candidates, key=lambda c: (c.delivery, c.cost, c.code))


# (part ids, factory ids) → (when read, monotonic seconds; when what was read last changed; offers, free
# stock), per process, for quotes: the parts are a family's (`FamilyCatalog.part_ids`), so each family is
# read at most once an interval.
_recent_reads: dict[tuple, tuple[float, float, tuple[dict, dict]]] = {}
_RECENT_KEEP = 1024


def _offers_and_stock_recent(part_ids, factory_ids) -> tuple[dict, dict]:
    """`_offers_and_stock`, read again at most every COSMO_QUOTE_RECHECK_SECONDS per process: a quote (and
    the order intake, which quotes every line) may be that far behind the latest stock write, like the
    lines it is placed on. Re-routing reads afresh."""
    return _recent_read(part_ids, factory_ids)[2]


def _recent_read(part_ids, factory_ids) -> tuple[float, float, tuple[dict, dict]]:
    """(when read, since when the same, (offers, free stock)) for `_offers_and_stock_recent`: a quote
    remembered with the same second time was weighed on the same stock and offers."""
    key = (tuple(sorted(part_ids)), tuple(sorted(factory_ids)))
    now = time.monotonic()
    read = _recent_reads.get(key)
    if read is not None and now - read[0] < settings.COSMO_QUOTE_RECHECK_SECONDS:
        return read
    found = _offers_and_stock(part_ids, factory_ids)
    read = (now, read[1] if read is not None and read[2] == found else now, found)
    if len(_recent_reads) >= _RECENT_KEEP:
        _recent_reads.clear()
    _recent_reads[key] = read
    return read


def forget_recent() -> None:
    """Drop the stock and offers read for quotes, and the routes remembered on them (tests: their rows are
    rolled back behind these copies)."""
    _recent_reads.clear()
    _routes.clear()


def _offers_and_stock(part_ids, factory_ids) -> tuple[dict, dict]:
    """part id → [(lead days, price, near factory id)] of the active offers; (factory id, part id) → free
    stock. Two queries; the offers' table is reached through the relation (suppliers is not imported)."""
    offers: dict[int, list] = {pk: [] for pk in part_ids}
    free: dict[tuple[int, int], Decimal] = {}
    if not part_ids:
        return offers, free
    offer_model = Part._meta.get_field("offers").related_model
    supplier_table = offer_model._meta.get_field("supplier").related_model._meta.db_table
    marks = ", ".join(["%s"] * len(part_ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT o.part_id, o.lead_time_days, o.price, s.near_id FROM {offer_model._meta.db_table} o"
            f" JOIN {supplier_table} s ON s.id = o.supplier_id WHERE o.active AND o.part_id IN ({marks})",
            list(part_ids),
        )
        for part_id, days, price, near in cursor.fetchall():
            offers[part_id].append((days, Decimal(str(price)), near))
    for factory_id, part_id, on_hand, reserved in Stock.objects.filter(
        part_id__in=list(part_ids), factory_id__in=list(factory_ids)
    ).values_list("factory_id", "part_id", "on_hand", "reserved"):
        free[(factory_id, part_id)] = on_hand - reserved
    return offers, free


def far_supplier_days(near_factory_id: int | None, factory_id: int) -> int:
    """The days a supplier's parts travel beyond its lead time to reach this factory: none when it sits
    next to the factory (or next to none in particular), COSMO_FAR_SUPPLIER_DAYS otherwise. The quote and
    the buying both count it, so a factory is not promised parts its purchase would bring later."""
    return 0 if near_factory_id in (None, factory_id) else settings.COSMO_FAR_SUPPLIER_DAYS


def materials_for(factory_id: int, needs: dict[int, Decimal], offers: dict, free: dict, now: datetime,
                  *, held: dict[int, Decimal] | None = None) -> tuple[datetime, Decimal]:
    """When the parts are on hand in this factory and what they cost. `held`: what the line has reserved
    there already (a job being weighed for a move counts its own reservation as free where it is)."""
    ready, cost = now, ZERO
    for part_id, quantity in needs.items():
        terms = offers.get(part_id, [])
        near = [(days, price) for days, price, at in terms if at in (None, factory_id)]
        prices = [price for _, price in (near or [(d, p) for d, p, _ in terms])]
        cost += quantity * (min(prices) if prices else ZERO)
        available = free.get((factory_id, part_id), ZERO) + (held or {}).get(part_id, ZERO)
        if available >= quantity:
            continue
        if not terms:
            raise QuoteError(f"no supplier offers part {part_id}")
        days = min(d + far_supplier_days(at, factory_id) for d, _, at in terms)
        ready = max(ready, now + timedelta(days=days))
    return ready, cost


def lanes_to(region: Region | None, fc) -> dict[int, tuple[int, Decimal]]:
    """Factory id → (days, cost per unit) to the region; a factory without a lane (or no region at all)
    ships in COSMO_SHIPPING_DAYS at no cost."""
    region_id = region.pk if region is not None else None
    default = (settings.COSMO_SHIPPING_DAYS, ZERO)
    return {f.pk: fc.lanes.get((f.pk, region_id), default) for f in fc.factories}


def line_candidates(
    family: ProductFamily, configuration: dict, quantity: int, region: Region | None = None, *,
    only: set[int] | None = None, held: dict[int, dict[int, Decimal]] | None = None, recent: bool = False,
) -> list[Candidate]:
    """Every capable factory's promise and cost for the line (`only`: these factories; `recent`: stock and
    offers as read within the last COSMO_QUOTE_RECHECK_SECONDS). A factory that cannot promise (no shift
    window long enough, a part nobody offers) is left out."""
    fc = family_catalog(family)
    line = OrderLine(family=family, configuration=configuration, quantity=quantity)  # never saved
    needs = fc.catalog.needs(line)
    operations = fc.catalog.operations(line)
    minutes = float(sum((m for _, _, m in operations), ZERO))
    factories = [f for f in fc.factories if only is None or f.pk in only]
    if recent:  # all the family's parts: one read a recheck interval serves every configuration
        offers, free = _offers_and_stock_recent(fc.part_ids, [f.pk for f in fc.factories])
    else:
        offers, free = _offers_and_stock(list(needs), [f.pk for f in factories])
    lanes = lanes_to(region, fc)
    now = clock.now()
    candidates = []
    for factory in factories:
        try:
            ready, materials = materials_for(factory.pk, needs, offers, free, now, held=(held or {}).get(factory.pk))
            finish = factory_finish(factory, fc, line, operations, ready)
        except QuoteError:
            continue
        days, per_unit = lanes[factory.pk]
        arrival = finish + safety_time() + timedelta(days=days)
        kwh = Decimal(str(round(minutes * fc.kwh_per_minute.get(factory.pk, 0.0), 3)))
        candidates.append(Candidate(
            factory_id=factory.pk, code=factory.code, name=factory.name, time_zone=factory.timezone,
            delivery=arrival.astimezone(ZoneInfo(factory.timezone)).date(), shipping_days=days,
            materials=materials.quantize(Decimal("0.01")), energy=(kwh * factory.energy_price).quantize(Decimal("0.01")),
            shipping=per_unit * quantity, ready=ready, finish=finish,
        ))
    return candidates


def region_of(region) -> Region | None:
    """A region given as a Region, its code or None (the default region), as this process read it at most
    COSMO_QUOTE_RECHECK_SECONDS ago (`orders.regions`)."""
    try:
        return region_recent(region)
    except Region.DoesNotExist:
        raise QuoteError(f"unknown region {region!r}") from None


# (family id, its stamp, configuration, quantity, region id) → (the snapshot it was routed on, the route
# or the QuoteError), per process: the configurator quotes a configuration again and again while the
# consumer looks at it, and the order placed next quotes it once more.
_routes: dict[tuple, tuple[tuple, Route | QuoteError]] = {}
_ROUTES_KEEP = 4096


def delivery_route(family: ProductFamily | str, configuration: dict, quantity: int, region=None) -> Route:
    """The factory the policy in force routes this line to, and its delivery date. Raises QuoteError when
    no factory can promise a date.

    A route is remembered for the snapshot it was computed on: the family's stamp (master data, policy),
    the stock and offers and each capable factory's lines as the quotes read them (checked again every
    COSMO_QUOTE_RECHECK_SECONDS: a change there is a new snapshot) and the factory clock's minute (the
    lines place an operation by the minute). It is what a quote computed afresh would answer."""
    if isinstance(family, str):
        try:
            family = ProductFamily.objects.get(code=family)
        except ProductFamily.DoesNotExist:
            raise QuoteError(f"unknown product family {family!r}") from None
    region = region_of(region)
    fc = family_catalog(family)  # cached with the family; saving the policy moves every stamp
    if settings.COSMO_QUOTE_RECHECK_SECONDS <= 0:  # every quote reads afresh: nothing to remember
        return _route(family, fc, configuration, quantity, region)
    snapshot = (
        _recent_read(fc.part_ids, [f.pk for f in fc.factories])[1],
        tuple(floor_stamp(factory) for factory in fc.factories),
        clock.now().replace(second=0, microsecond=0),
    )
    key = (family.pk, family.updated_at, json.dumps(configuration, sort_keys=True, default=str), quantity,
           region.pk if region is not None else None)
    remembered = _routes.get(key)
    if remembered is None or remembered[0] != snapshot:
        try:
            answer = _route(family, fc, configuration, quantity, region)
        except QuoteError as error:
            answer = error
        if len(_routes) >= _ROUTES_KEEP:
            _routes.clear()
        _routes[key] = remembered = (snapshot, answer)
    if isinstance(remembered[1], QuoteError):
        raise QuoteError(*remembered[1].args)
    return remembered[1]


def _route(family: ProductFamily, fc, configuration: dict, quantity: int, region: Region | None) -> Route:
    candidates = line_candidates(family, configuration, quantity, region, recent=True)
    chosen = route_choose(candidates, policy=fc.policy.policy, within_days=fc.policy.within_days)
    if chosen is None:
        if not fc.factories:
            raise QuoteError(f"no factory has a line able to make {family.code}")
        raise QuoteError(f"no factory can promise a date for {family.code}")
    return Route(chosen=chosen, candidates=[chosen] + [c for c in candidates if c is not chosen])


def delivery_quote(family: ProductFamily | str, configuration: dict, quantity: int, region=None) -> date:
    """The routed delivery date alone (see `delivery_route`)."""
    return delivery_route(family, configuration, quantity, region).date


def job_candidates(job) -> tuple[Candidate | None, list[Candidate]]:
    """Where a job that has not started could be made: its own factory's promise as things stand (its
    planned end when on the lines, else a quote counting the stock it holds there as its own) and every
    other capable factory's promise and cost to the order's region (earliest first)."""
    line = job.order_line
    region = line.order.region
    held = {job.factory_id: {r.part_id: r.reserved for r in job.order_line.requirements.all() if r.reserved > 0}}
    candidates = line_candidates(line.family, line.configuration, line.quantity, region, held=held)
    here = next((c for c in candidates if c.factory_id == job.factory_id), None)
    planned_end = max((op.planned_end for op in job.operations.all() if op.planned_end), default=None)
    if here is not None and planned_end is not None:
        arrival = planned_end + safety_time() + timedelta(days=here.shipping_days)
        here = replace(here, delivery=arrival.astimezone(ZoneInfo(here.time_zone)).date(), finish=planned_end)
    others = sorted((c for c in candidates if c.factory_id != job.factory_id), key=lambda c: (c.delivery, c.cost, c.code))
    return here, others


def reroute_target(job) -> tuple[Candidate | None, Candidate | None]:
    """(where the job is, where the policy would move it): another factory that now promises at least
    `RoutingPolicy.reroute_gain_days` earlier (the earliest such; cost breaks ties), else None."""
    policy = RoutingPolicy.current()
    here, others = job_candidates(job)
    if not policy.reroute or here is None:
        return here, None
    better = [c for c in others if c.delivery <= here.delivery - timedelta(days=max(1, policy.reroute_gain_days))]
    return here, (min(better, key=lambda c: (c.delivery, c.cost, c.code)) if better else None)
