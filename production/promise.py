"""Capable-to-promise: the earliest day a configuration could ship, while the consumer configures.

    delivery_quote(family, configuration, quantity) -> datetime.date

The configurator reaches it through the setting `COSMO_DELIVERY_QUOTE` (`orders` does not import
`production`): `import_string(settings.COSMO_DELIVERY_QUOTE)(family, configuration, quantity)`.
"""

from __future__ import annotations

import math
import threading
import time
import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection

from cosmo import clock
from orders.delivery import shipping_time
from orders.models import OrderLine, ProductFamily
from production.bom import Catalog
from production.materials import jobs_expected_release, jobs_waiting
from production.models import Factory, Operation, Part, SetupGroup, Stock
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
    # What the lines answered for a job, while they are these lines: (family, stamp, configuration,
    # quantity, release minute) → finish minute. Popular configurations are quoted again and again.
    finishes: dict = field(default_factory=dict)


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


def _floor_rebuild(factory: Factory, cached: _Cached | None, now: float) -> _Cached:
    version = (
        Factory.objects.filter(pk=factory.pk).values_list("schedule_version", flat=True).get(),
        tuple(job.pk for job in jobs_waiting(factory)),
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
    _parts_read.clear()


@dataclass
class _FamilyCatalog:
    catalog: Catalog
    factory: Factory | None
    setup_group: str | None


# (family id, its stamp) → what the quote reads of the family's master data, per process (orders/versions.py).
_catalogs: dict[tuple, _FamilyCatalog] = {}
_CATALOGS_KEEP = 256


def _family_catalog(family: ProductFamily) -> _FamilyCatalog:
    key = (family.pk, family.updated_at)
    found = _catalogs.get(key)
    if found is None:
        catalog = Catalog([family.pk])
        factory_id = catalog.factory_ids.get(family.pk)
        found = _FamilyCatalog(
            catalog=catalog,
            factory=Factory.objects.filter(pk=factory_id).first() if factory_id else None,
            setup_group=SetupGroup.objects.filter(family=family).values_list("group_code", flat=True).first(),
        )
        if len(_catalogs) >= _CATALOGS_KEEP:
            _catalogs.clear()
        _catalogs[key] = found
    return found


def material_ready(factory: Factory, needs: dict[int, Decimal], now: datetime) -> datetime:
    """When every part (id → quantity) is on hand: now if free stock covers it, else after the shortest
    lead time among the offers for each missing part."""
    short = [(code, days) for pk, code, days, free in _parts_free_and_lead(factory, needs) if (free or 0) < needs[pk]]
    if not short:
        return now
    missing = [code for code, days in short if days is None]
    if missing:
        raise QuoteError(f"no supplier offers {', '.join(sorted(missing))}")
    return now + timedelta(days=max(days for _, days in short))


# (factory id, part ids) → (when read, monotonic seconds; the rows), per process.
_parts_read: dict[tuple, tuple[float, list]] = {}
_PARTS_KEEP = 1024


def _parts_free_and_lead(factory: Factory, needs: dict[int, Decimal]) -> list[tuple]:
    """(part id, code, quickest lead time in days or None, free stock in the factory or None) of each part,
    in one query, read again at most every COSMO_QUOTE_RECHECK_SECONDS per process (like the lines: a
    quote may be that much behind the latest stock write)."""
    part_ids = tuple(sorted(needs))
    if not part_ids:
        return []
    key = (factory.pk, part_ids)
    read = _parts_read.get(key)
    now = time.monotonic()
    if read is not None and now - read[0] < settings.COSMO_QUOTE_RECHECK_SECONDS:
        return read[1]
    rows = _parts_query(factory, part_ids)
    if len(_parts_read) >= _PARTS_KEEP:
        _parts_read.clear()
    _parts_read[key] = (now, rows)
    return rows


def _parts_query(factory: Factory, part_ids: tuple) -> list[tuple]:
    """Written in SQL: it runs for many quotes, and building it through the ORM cost more than running it.
    Offers belong to the suppliers app; their table is reached through the relation, without importing it."""
    offer_table = Part._meta.get_field("offers").related_model._meta.db_table
    marks = ", ".join(["%s"] * len(part_ids))
    sql = (
        f"SELECT p.id, p.code,"
        f" (SELECT MIN(o.lead_time_days) FROM {offer_table} o WHERE o.part_id = p.id),"
        f" (SELECT s.on_hand - s.reserved FROM {Stock._meta.db_table} s WHERE s.factory_id = %s AND s.part_id = p.id)"
        f" FROM {Part._meta.db_table} p WHERE p.id IN ({marks})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [factory.pk, *part_ids])
        return [(pk, code, days, Decimal(str(free)) if free is not None else None)
                for pk, code, days, free in cursor.fetchall()]


def delivery_quote(family: ProductFamily | str, configuration: dict, quantity: int) -> date:
    """The earliest date (factory-local) an order of `quantity` units of `configuration` could ship.

    `family` is a `ProductFamily` or its code; `configuration` is the configurator's {group code: option
    code, list of codes, or number}, assumed valid. The date allows for the materials (free stock now,
    else the shortest supplier lead time of each missing part), the lines as currently scheduled (the
    job goes after what is planned, at the earliest slot of each operation in its shifts, with its
    changeovers: nothing planned moves), a safety time and the shipping time. Reads the factory clock. Raises
    `QuoteError` when no date can be given. Takes a few milliseconds: the scheduled lines are cached
    per process until the schedule changes (asked at most every `COSMO_QUOTE_RECHECK_SECONDS`), the family's BOM,
    routing and factory until its stamp moves (`orders/versions.py`).
    """
    if isinstance(family, str):
        try:
            family = ProductFamily.objects.get(code=family)
        except ProductFamily.DoesNotExist:
            raise QuoteError(f"unknown product family {family!r}") from None
    cached_catalog = _family_catalog(family)
    catalog = cached_catalog.catalog
    line = OrderLine(family=family, configuration=configuration, quantity=quantity)  # never saved
    try:
        catalog.factory_id(line)
    except LookupError as exc:
        raise QuoteError(str(exc)) from None
    factory = cached_catalog.factory
    now = clock.now()
    ready = material_ready(factory, catalog.needs(line), now)
    cached = _floor(factory)
    fp = cached.fp
    release = max(0, fp.minutes(ready))
    remembered = (family.pk, family.updated_at, json.dumps(configuration, sort_keys=True, default=str), quantity, release)
    finish = cached.finishes.get(remembered)
    if finish is None:
        line_index = {line.pk: i for i, line in enumerate(fp.lines)}
        operations = tuple(
            EngineOperation(alternatives=operation_alternatives(minutes, cached.speeds.get(family.pk, {}), line_index))
            for _, _, minutes in catalog.operations(line)
        )
        if not operations:
            finish = ready
        else:
            job = EngineJob(
                operations=operations,
                variant=variant_key(family.code, configuration, cached_catalog.setup_group),
                release=release,
            )
            with cached.lock:
                try:
                    finish = fp.at(cached.floor.quote(job))
                except Exception as exc:  # ProblemError: no shift window is long enough
                    raise QuoteError(str(exc)) from None
            if len(cached.finishes) >= _FINISHES_KEEP:
                cached.finishes.clear()
            cached.finishes[remembered] = finish
    return (finish + safety_time() + shipping_time()).astimezone(ZoneInfo(factory.timezone)).date()


_FINISHES_KEEP = 4096


def safety_time() -> timedelta:
    """Time added to the quoted completion before a date is promised: the plan assumes every line works
    as planned, the floor breaks down and varies (`COSMO_PROMISE_SAFETY_HOURS`, factory hours)."""
    return timedelta(hours=settings.COSMO_PROMISE_SAFETY_HOURS)
