"""Capable-to-promise in one factory: when a configuration could be made there, while the consumer
configures (`factory_finish`), from the factory's lines as scheduled, cached per process.

Routing (`production/routing.py`) asks every capable factory and adds materials, safety and shipping;
the configurator reaches it through the setting `COSMO_DELIVERY_QUOTE` (`orders` does not import
`production`).
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings

from orders.models import OrderLine, ProductFamily
from production.bom import Catalog
from production.materials import jobs_expected_release, jobs_waiting, jobs_waiting_query
from production.models import Factory, LineCapability, Operation, RoutingPolicy, SetupGroup, ShippingLane
from production.scheduler import Floor, ProblemError
from production.scheduler import Job as EngineJob
from production.scheduler import Operation as EngineOperation
from production.scheduling import (
    FactoryProblem,
    factory_problem,
    line_speeds,
    operation_alternatives,
    variant_key,
)

# The lines as scheduled are kept this long (real seconds) per process, or until the schedule changes.
CACHE_SECONDS = 30.0


class QuoteError(LookupError):
    """No date can be promised (no line makes the family, no supplier offers a missing part...)."""


@dataclass
class _Cached:
    version: tuple
    built: float
    fp: FactoryProblem
    floor: Floor
    speeds: dict
    lock: threading.Lock
    checked: float = 0.0


_floors: dict[int, _Cached] = {}


def _floor(factory: Factory) -> _Cached:
    # The cache holds while the schedule and the jobs waiting for parts are the same.
    cached = _floors.get(factory.pk)
    now = time.monotonic()
    # Whether the schedule changed is asked at most every COSMO_QUOTE_RECHECK_SECONDS per process: a quote
    # may be that much behind the latest schedule write, and a busy order form costs no query for it.
    recheck = settings.COSMO_QUOTE_RECHECK_SECONDS
    if cached is not None and now - cached.checked < recheck and now - cached.built < CACHE_SECONDS:
        return cached
    # One thread of the process checks and rebuilds; the others answer from the lines as they were
    # meanwhile, instead of all building the same floor at once.
    if not _rebuilding.acquire(blocking=cached is None):
        return cached
    try:
        return _floor_rebuild(factory, cached, now)
    finally:
        _rebuilding.release()


_rebuilding = threading.Lock()


def floor_stamp(factory: Factory) -> float:
    """Which copy of the factory's lines a quote made now is placed on (when it was built; a copy whose
    version is found unchanged at a recheck is the same lines): a quote remembered with the same stamp was
    placed on the same lines."""
    return _floor(factory).built


def _floor_rebuild(factory: Factory, cached: _Cached | None, now: float) -> _Cached:
    version = (
        Factory.objects.filter(pk=factory.pk).values_list("schedule_version", flat=True).get(),
        # The ids alone: this runs every COSMO_QUOTE_RECHECK_SECONDS in every web process.
        tuple(jobs_waiting_query(factory).values_list("pk", flat=True)),
    )
    if cached is not None and cached.version == version and now - cached.built < CACHE_SECONDS:
        cached.checked = now
        return cached
    fp = factory_problem(factory)
    schedule, unplaced = fp.current()
    floor = Floor(fp.problem, fp.without(schedule, unplaced))
    speeds = line_speeds(factory)
    _hold_places(floor, fp, factory, speeds)
    cached = _Cached(version, time.monotonic(), fp, floor, speeds, threading.Lock(), checked=time.monotonic())
    _floors[factory.pk] = cached
    return cached


def _hold_places(floor: Floor, fp: FactoryProblem, factory: Factory, speeds: dict) -> None:
    """Jobs promised and waiting for their parts are not on the lines yet; the quote keeps their places:
    each is placed on the floor (for quoting only) from when its parts are expected, earliest due first.
    Otherwise a new order would be promised the capacity they will need when their parts arrive."""
    waiting = jobs_waiting(factory)
    expected = jobs_expected_release(waiting, fp.origin)
    line_index = {line.pk: i for i, line in enumerate(fp.lines)}
    setup = dict(SetupGroup.objects.values_list("family_id", "group_code"))
    operations: dict[int, list] = {}
    for job_id, minutes in Operation.objects.filter(job__in=list(expected)).order_by("sequence").values_list(
        "job", "minutes"
    ):
        operations.setdefault(job_id, []).append(minutes)
    held = sorted((job for job in waiting if job.pk in expected), key=lambda j: (j.due_date is None, j.due_date, j.pk))
    for job in held:
        family = job.order_line.family
        engine_job = EngineJob(
            operations=tuple(
                EngineOperation(alternatives=operation_alternatives(m, speeds.get(family.pk, {}), line_index))
                for m in operations.get(job.pk, [])
            ),
            variant=variant_key(family.code, job.order_line.configuration, setup.get(family.pk)),
            release=max(0, math.ceil((expected[job.pk] - fp.origin).total_seconds() / 60)),
        )
        if not engine_job.operations:
            continue
        try:
            floor.place_job(-1, engine_job)
        except ProblemError:
            continue  # it fits no shift window: it will say so when it is placed for real


def forget_floors() -> None:
    """Drop the cached lines and catalogs (tests; after master data changed)."""
    _floors.clear()
    _catalogs.clear()


@dataclass
class FamilyCatalog:
    """What routing and the quote read of a family's master data: its BOM and routing, the factories with a
    line able to make it (by code), the setup group, each factory's kWh per routing minute on its most
    frugal capable line, the shipping lanes and the routing policy."""

    catalog: Catalog
    factories: list[Factory]
    setup_group: str | None
    kwh_per_minute: dict[int, float]
    lanes: dict[tuple[int, int], tuple[int, Decimal]]
    policy: RoutingPolicy

    # Every part any configuration of the family may need (its BOM's parts and their sub-assemblies'
    # components, all levels), sorted: a quote reads the stock and offers of these, one read serving every
    # configuration.
    part_ids: tuple[int, ...] = ()


# (family id, its stamp) → what the quote reads of the family's master data, per process (orders/versions.py;
# factories, lines, lanes and the routing policy move every family's stamp).
_catalogs: dict[tuple, FamilyCatalog] = {}
_CATALOGS_KEEP = 256


def family_catalog(family: ProductFamily) -> FamilyCatalog:
    key = (family.pk, family.updated_at)
    found = _catalogs.get(key)
    if found is None:
        catalog = Catalog([family.pk])
        kwh: dict[int, float] = {}
        for factory_id, speed, power in LineCapability.objects.filter(family=family).values_list(
            "line__factory_id", "speed", "line__simulation__power_running_kw"
        ):
            per_minute = (power or 0.0) / float(speed) / 60
            kwh[factory_id] = min(kwh.get(factory_id, per_minute), per_minute)
        found = FamilyCatalog(
            catalog=catalog,
            factories=list(Factory.objects.filter(pk__in=list(kwh)).order_by("code")),
            setup_group=SetupGroup.objects.filter(family=family).values_list("group_code", flat=True).first(),
            kwh_per_minute=kwh,
            lanes={(f, r): (d, c) for f, r, d, c in ShippingLane.objects.values_list(
                "factory_id", "region_id", "days", "cost_per_unit")},
            policy=RoutingPolicy.current(),
            part_ids=tuple(sorted(
                {b.part_id for lines in catalog.bom_lines.values() for b in lines}
                | {c for components in catalog.components.values() for c, _ in components}
            )),
        )
        if len(_catalogs) >= _CATALOGS_KEEP:
            _catalogs.clear()
        _catalogs[key] = found
    return found


def factory_finish(factory: Factory, fc: FamilyCatalog, line: OrderLine, operations, ready: datetime) -> datetime:
    """When the line would be made in this factory: its operations placed after what the lines have
    scheduled (nothing planned moves), not before `ready` (its materials)."""
    if not operations:
        return ready
    cached = _floor(factory)
    fp = cached.fp
    line_index = {line.pk: i for i, line in enumerate(fp.lines)}
    family = line.family
    job = EngineJob(
        operations=tuple(
            EngineOperation(alternatives=operation_alternatives(minutes, cached.speeds.get(family.pk, {}), line_index))
            for _, _, minutes in operations
        ),
        variant=variant_key(family.code, line.configuration, fc.setup_group),
        release=max(0, fp.minutes(ready)),
    )
    with cached.lock:
        try:
            return fp.at(cached.floor.quote(job))
        except Exception as exc:  # ProblemError: no shift window is long enough
            raise QuoteError(str(exc)) from None


def safety_time() -> timedelta:
    """Time added to the quoted completion before a date is promised: the plan assumes every line works
    as planned, the floor breaks down and varies (`COSMO_PROMISE_SAFETY_HOURS`, factory hours)."""
    return timedelta(hours=settings.COSMO_PROMISE_SAFETY_HOURS)
