"""Stock and requirements: reserve free stock under row locks, take in receipts, release jobs whose parts
are all in. The database constraints (on hand ≥ reserved ≥ 0) back the locks: no unit is reserved twice."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Exists, F, OuterRef
from django.utils.translation import gettext as _

from cosmo import clock
from cosmo.queue import enqueue_on_commit
from orders.models import Order, Stage
from production.models import Job, Requirement, Stock

ZERO = Decimal("0")


def stock_locked(*, factory_id: int, part_ids, create: bool = False) -> dict[int, Stock]:
    """Part id → its stock row in the factory, locked until the transaction ends.

    Rows are locked in primary-key order, so that two transactions locking overlapping parts never wait
    for each other in a circle. With `create`, missing rows are made (empty) first.
    """
    part_ids = set(part_ids)
    if create:
        Stock.objects.bulk_create(
            [Stock(factory_id=factory_id, part_id=part_id) for part_id in part_ids], ignore_conflicts=True
        )
    rows = Stock.objects.select_for_update(no_key=True).filter(factory_id=factory_id, part_id__in=part_ids).order_by("pk")
    return {row.part_id: row for row in rows}


def requirements_reserve(*, requirements, factory, uncovered: dict[int, Decimal] | None = None) -> Decimal:
    """Reserve free stock for the requirements, earliest need date first; returns the total reserved.

    `uncovered` (requirement pk → quantity) says how much of each is still to cover (default: what is not
    reserved yet). Must run inside a transaction: the stock rows stay locked until it commits.
    """
    requirements = sorted(requirements, key=lambda r: (r.need_date, r.pk))
    wants = {r.pk: (uncovered[r.pk] if uncovered is not None else r.shortage) for r in requirements}
    if not any(q > 0 for q in wants.values()):
        return ZERO
    stock = stock_locked(factory_id=factory.pk, part_ids={r.part_id for r in requirements if wants[r.pk] > 0})
    total = ZERO
    changed = []
    for requirement in requirements:
        row = stock.get(requirement.part_id)
        want = wants[requirement.pk]
        if row is None or want <= 0 or row.available <= 0:
            continue
        take = min(row.available, want)
        row.reserved += take
        requirement.reserved += take
        changed.append(requirement)
        total += take
    Stock.objects.bulk_update(stock.values(), ["reserved"])
    Requirement.objects.bulk_update(changed, ["reserved"])
    return total


def requirements_unreserve(*, requirements, factory) -> Decimal:
    """Give back the stock reserved for these requirements (an order was cancelled); returns the total."""
    requirements = [r for r in requirements if r.reserved > 0]
    if not requirements:
        return ZERO
    stock = stock_locked(factory_id=factory.pk, part_ids={r.part_id for r in requirements})
    total = ZERO
    for requirement in requirements:
        stock[requirement.part_id].reserved -= requirement.reserved
        total += requirement.reserved
        requirement.reserved = ZERO
    Stock.objects.bulk_update(stock.values(), ["reserved"])
    Requirement.objects.bulk_update(requirements, ["reserved"])
    return total


def stock_receive(*, factory_id: int, part_id: int, quantity: Decimal, fulfil: list[tuple[Requirement, Decimal]]):
    """Parts arrived: add them to stock and reserve what each listed requirement receives of them.

    The rest (surplus, over delivery) is free stock.
    """
    row = stock_locked(factory_id=factory_id, part_ids=[part_id], create=True)[part_id]
    # Sums are made in Decimal on the locked rows (SQLite would add decimals as floats in SQL). A
    # requirement never reserves more than it needs (it may have been covered from free stock meanwhile):
    # what it cannot take stays free stock.
    locked = Requirement.objects.select_for_update(no_key=True).in_bulk([r.pk for r, _ in fulfil])
    given = ZERO
    for requirement, received in fulfil:
        current = locked[requirement.pk]
        take = min(received, current.quantity - current.reserved)
        if take > 0:
            current.reserved += take
            given += take
            current.save(update_fields=["reserved"])
    row.on_hand += quantity
    row.reserved += given
    row.save(update_fields=["on_hand", "reserved"])


def jobs_release(*, order_ids, now: datetime) -> list[int]:
    """Release every job of these orders whose parts are now all reserved (its release date is now), and
    ask the planner to schedule the orders in the materials stage whose jobs are all released.

    Returns the ids of those orders. Takes no lock on the orders: the scheduling step checks again under
    its own lock, and the sweeper re-drives an order two concurrent receipts both thought incomplete.
    """
    short = Requirement.objects.filter(order_line=OuterRef("order_line"), reserved__lt=F("quantity"))
    Job.objects.filter(order_line__order__in=order_ids, release_date__isnull=True).exclude(
        status=Job.Status.CANCELLED
    ).filter(~Exists(short)).update(release_date=now)
    ready = list(
        Order.objects.filter(pk__in=order_ids, stage=Stage.MATERIALS)
        .exclude(lines__job__release_date__isnull=True)
        .values_list("pk", flat=True)
    )
    if ready:
        # One message: the scheduling step takes these orders (and any other ready one) in batches.
        enqueue_on_commit("lifecycle.tasks.schedule_order", ready[0])
    return ready


def order_materials_complete(order_id: int) -> bool:
    """Whether every job of the order has been released (all its parts are reserved)."""
    return not Job.objects.filter(order_line__order=order_id, release_date__isnull=True).exists()


def jobs_waiting_query(factory):
    """The jobs of a factory whose parts are still on their way (not released, order in materials), by id."""
    return (
        Job.objects.filter(factory=factory, release_date__isnull=True, order_line__order__stage=Stage.MATERIALS)
        .exclude(status=Job.Status.CANCELLED)
        .order_by("pk")
    )


def jobs_waiting(factory) -> list[Job]:
    """`jobs_waiting_query` with each job's order line, order and family."""
    return list(jobs_waiting_query(factory).select_related("order_line__order", "order_line__family"))


def jobs_expected_release(jobs: list[Job], now: datetime) -> dict[int, datetime]:
    """Job pk → when its parts are expected in: the latest promised (else expected) date of the
    purchase-order lines its unreserved requirements are on (never before now). A job with a requirement
    on no purchase-order line has no date and is left out. Purchase-order lines are read through the
    relation names (`production` does not import `suppliers`)."""
    latest: dict[int, datetime] = {}
    covered: dict[int, set[int]] = {}
    short = Requirement.objects.filter(order_line__job__in=jobs, reserved__lt=F("quantity"))
    wanted: dict[int, set[int]] = {}
    for pk, job_id in short.values_list("pk", "order_line__job"):
        wanted.setdefault(job_id, set()).add(pk)
    rows = short.filter(allocations__isnull=False).values_list(
        "pk", "order_line__job", "allocations__po_line__promised_date", "allocations__po_line__expected_date"
    )
    for pk, job_id, promised, expected in rows:
        at = max(now, promised or expected)
        latest[job_id] = max(latest.get(job_id, at), at)
        covered.setdefault(job_id, set()).add(pk)
    return {job_id: at for job_id, at in latest.items() if wanted.get(job_id, set()) <= covered[job_id]}


def orders_waiting_on(order_ids, now: datetime | None = None) -> dict[int, list[str]]:
    """Order id → what it waits for, in words a consumer reads: for each part not in the factory yet, which
    supplier has it and what that supplier still has to do (answer, ship, deliver), with the day expected in
    the factory's local time. A day already past is never called "arriving": the sentence says the supplier
    is late. Purchase-order lines are read through the relation names (`production` does not import
    `suppliers`)."""
    now = now or clock.now()
    short = Requirement.objects.filter(order_line__order_id__in=list(order_ids), reserved__lt=F("quantity"),
                                       allocations__isnull=False)
    rows = (
        short.values_list("order_line__order_id", "order_line__job__factory__timezone", "part__name",
                          "allocations__po_line_id", "allocations__po_line__purchase_order__supplier__name",
                          "allocations__po_line__status", "allocations__po_line__shipped_quantity",
                          "allocations__po_line__quantity", "allocations__po_line__promised_date",
                          "allocations__po_line__expected_date", "allocations__quantity", "allocations__received")
        .order_by("order_line__order_id", "part__name")
    )
    # What is on its way arrives when its shipment says, not when the line was first expected.
    arriving: dict[int, datetime] = {}
    for po_line_id, at in short.filter(
        allocations__po_line__shipment_lines__shipment__status="in_transit"
    ).values_list("allocations__po_line_id", "allocations__po_line__shipment_lines__shipment__expected_arrival"):
        arriving[po_line_id] = max(arriving.get(po_line_id, at), at)
    words: dict[int, list[str]] = {}
    for (order_id, zone, part, po_line_id, supplier, status, shipped, ordered, promised, expected, quantity,
         received) in rows:
        if received >= quantity or status == "rejected":
            continue
        tz = ZoneInfo(zone or settings.TIME_ZONE)
        on_its_way = shipped >= ordered
        due = arriving.get(po_line_id, promised or expected) if on_its_way else (promised or expected)
        day = due.astimezone(tz).date()
        late = day < now.astimezone(tz).date()
        if status == "open":
            text = (_("Waiting for %(supplier)s to confirm the %(part)s it was asked for: its answer is late "
                      "(the part was due %(day)s).") if late else
                    _("Waiting for %(supplier)s to confirm the %(part)s it was asked for (expected by %(day)s)."))
        elif on_its_way:
            text = (_("The %(part)s is on its way from %(supplier)s; it was due %(day)s and is late.") if late else
                    _("The %(part)s is on its way from %(supplier)s, arriving %(day)s."))
        else:
            text = (_("%(supplier)s confirmed the %(part)s but has not shipped it yet; it was due %(day)s.") if late
                    else _("%(supplier)s confirmed the %(part)s; the shipment is expected by %(day)s."))
        sentence = text % {"supplier": supplier, "part": _in_sentence(part), "day": day.isoformat()}
        if sentence not in words.setdefault(order_id, []):
            words[order_id].append(sentence)
    return words


def _in_sentence(name: str) -> str:
    """A part's name inside a sentence: its first letter lowered, unless it starts an abbreviation (PCB)
    — lowering the whole name would write "2.6 kw" for "2.6 kW"."""
    if len(name) > 1 and name[1].isupper():
        return name
    return name[:1].lower() + name[1:]
