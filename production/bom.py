"""Explode order lines into their material requirements and their jobs with operations.

The family's conditional BOM gives the first level; a part that has components of its own (a
sub-assembly, made in the factory) is replaced by its components, level by level. The database is read a
fixed number of times per call (per family and per BOM level, never per order line or per part), so that
a batch of a thousand lines costs about as many queries as one.
"""

from collections import defaultdict
from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from orders.delivery import shipping_time
from django.utils.translation import gettext as _

from orders.models import Option, Order, OrderLine
from production.models import (
    BomLine,
    Factory,
    Job,
    LineCapability,
    Operation,
    PartComponent,
    Requirement,
    RoutingStep,
    ShippingLane,
)

# Before the schedule knows better, parts are wanted this long after the order is placed.
DEFAULT_NEED_AFTER = timedelta(days=7)
# A sub-assembly deeper than this is a cycle in the master data, not a real product.
MAX_LEVELS = 10


def chosen_codes(configuration: dict) -> set[str]:
    """The option codes a configuration chooses (single and multiple choice groups)."""
    codes: set[str] = set()
    for value in configuration.values():
        if isinstance(value, list):
            codes.update(str(v) for v in value)
        elif isinstance(value, str):
            codes.add(value)
    return codes


def numeric_value(configuration: dict, group_code: str) -> Decimal:
    value = configuration.get(group_code)
    if value is None or isinstance(value, list):
        return Decimal("0")
    return Decimal(str(value))


def factories_making(family_ids) -> dict[int, int]:
    """Family id → the factory that makes it: the first one (by code) with a line able to."""
    factory_ids: dict[int, int] = {}
    for family_id, factory_id in (
        LineCapability.objects.filter(family_id__in=family_ids)
        .order_by("line__factory__code")
        .values_list("family_id", "line__factory_id")
    ):
        factory_ids.setdefault(family_id, factory_id)
    return factory_ids


def orders_time_zones(order_ids) -> dict[int, str]:
    """Order id → the time zone of the factory that makes it (its first line's: the job's once exploded, else
    the factory it was routed to, else the first able to), in which the consumer reads the order's times. An
    order that no factory can make is left out."""
    first_lines: dict[int, tuple[int, str | None, str]] = {}
    for order_id, family_id, made_in, routed in (
        OrderLine.objects.filter(order_id__in=order_ids)
        .order_by("order_id", "position", "pk")
        .values_list("order_id", "family_id", "job__factory__timezone", "factory_code")
    ):
        first_lines.setdefault(order_id, (family_id, made_in, routed))
    makers = factories_making({family_id for family_id, made_in, routed in first_lines.values() if not made_in})
    zones = dict(Factory.objects.filter(pk__in=set(makers.values())).values_list("pk", "timezone"))
    routed_zones = dict(Factory.objects.filter(
        code__in={routed for _, made_in, routed in first_lines.values() if routed and not made_in}
    ).values_list("code", "timezone"))
    result = {}
    for order_id, (family_id, made_in, routed) in first_lines.items():
        zone = made_in or routed_zones.get(routed) or zones.get(makers.get(family_id))
        if zone:
            result[order_id] = zone
    return result


class Catalog:
    """The BOMs, routings, sub-assemblies and factories a batch of order lines needs, read once."""

    def __init__(self, family_ids):
        family_ids = set(family_ids)
        self.bom_lines = defaultdict(list)
        for bom_line in BomLine.objects.filter(family_id__in=family_ids):
            self.bom_lines[bom_line.family_id].append(bom_line)
        self.routing = defaultdict(list)
        for step in RoutingStep.objects.filter(family_id__in=family_ids).order_by("sequence"):
            self.routing[step.family_id].append(step)
        self.factory_ids = factories_making(family_ids)
        self.components = self._components({b.part_id for lines in self.bom_lines.values() for b in lines})
        self._factories: dict[str, tuple[int, str]] | None = None  # code → (id, time zone)
        self._lanes: dict[tuple[int, int], int] | None = None

    @staticmethod
    def _components(part_ids: set[int]) -> dict[int, list[tuple[int, Decimal]]]:
        """Assembly → [(component, quantity)] for every sub-assembly reachable from these parts, one query
        per level."""
        components: dict[int, list[tuple[int, Decimal]]] = {}
        level = set(part_ids)
        for _ in range(MAX_LEVELS + 1):
            if not level:
                return components
            found = defaultdict(list)
            for assembly_id, component_id, quantity in PartComponent.objects.filter(assembly_id__in=level).values_list(
                "assembly_id", "component_id", "quantity"
            ):
                found[assembly_id].append((component_id, quantity))
            components.update(found)
            level = {c for parts in found.values() for c, _ in parts} - set(components)
        raise ValueError("the sub-assemblies nest deeper than %d levels: is there a cycle?" % MAX_LEVELS)

    def needs(self, line: OrderLine) -> dict[int, Decimal]:
        """Part id → quantity the order line needs, sub-assemblies exploded down to bought parts."""
        chosen = chosen_codes(line.configuration)
        level: dict[int, Decimal] = defaultdict(Decimal)
        for bom_line in self.bom_lines[line.family_id]:
            if not bom_line.applies_to(chosen):
                continue
            quantity = bom_line.quantity * line.quantity
            if bom_line.per_group:
                quantity *= numeric_value(line.configuration, bom_line.per_group)
            if quantity > 0:
                level[bom_line.part_id] += quantity
        needs: dict[int, Decimal] = defaultdict(Decimal)
        for _ in range(MAX_LEVELS + 1):
            deeper: dict[int, Decimal] = defaultdict(Decimal)
            for part_id, quantity in level.items():
                if part_id in self.components:
                    for component_id, per_assembly in self.components[part_id]:
                        deeper[component_id] += per_assembly * quantity
                else:
                    needs[part_id] += quantity
            if not deeper:
                return dict(needs)
            level = deeper
        raise ValueError("the sub-assemblies nest deeper than %d levels: is there a cycle?" % MAX_LEVELS)

    def operations(self, line: OrderLine) -> list[tuple[int, str, Decimal]]:
        """(sequence, name, minutes for the whole line quantity) of the routing steps that apply."""
        chosen = chosen_codes(line.configuration)
        return [
            (step.sequence, step.name, step.minutes * line.quantity)
            for step in self.routing[line.family_id]
            if step.applies_to(chosen)
        ]

    def _factory_rows(self) -> dict[str, tuple[int, str]]:
        if self._factories is None:
            self._factories = {code: (pk, zone) for pk, code, zone in Factory.objects.values_list("pk", "code", "timezone")}
        return self._factories

    def time_zone(self, line: OrderLine) -> str:
        """The time zone of the factory that makes this line (read once per catalog)."""
        factory_id = self.factory_id(line)
        return next(zone for pk, zone in self._factory_rows().values() if pk == factory_id)

    def factory_id(self, line: OrderLine) -> int:
        """The factory that makes this line: the one it was routed to when ordered (production/routing.py),
        else the first one (by code) with a capable line."""
        if line.factory_code and line.factory_code in self._factory_rows():
            return self._factory_rows()[line.factory_code][0]
        if line.family_id not in self.factory_ids:
            raise LookupError(f"no factory has a line able to make {line.family.code}")
        return self.factory_ids[line.family_id]

    def shipping_days(self, line: OrderLine, factory_id: int) -> int | None:
        """The days of the shipping lane from the factory to the order's region (None: no lane, the default)."""
        if self._lanes is None:
            self._lanes = {(f, r): d for f, r, d in ShippingLane.objects.values_list("factory_id", "region_id", "days")}
        return self._lanes.get((factory_id, line.order.region_id))


def need_date_estimate(order: Order, catalog: Catalog | None = None, lines: list[OrderLine] | None = None) -> datetime:
    """When the parts of an order are wanted, before its jobs are scheduled.

    For an order with a promised date: early enough to make it and ship it by the end of that day in
    the factory's time zone, which is what the delivery quote assumed; sourcing then picks offers that
    arrive in time for the promise (when none does, the earliest, and the order is flagged at risk).
    Without a promise: a week after the order was placed.
    """
    if order.promised_date is None:
        return order.placed_at + DEFAULT_NEED_AFTER

    lines = lines if lines is not None else list(order.lines.all())
    catalog = catalog or Catalog(line.family_id for line in lines)
    end_of_day = datetime.combine(order.promised_date, time.max, tzinfo=ZoneInfo(catalog.time_zone(lines[0])))
    making = max(sum((m for _, _, m in catalog.operations(line)), Decimal("0")) for line in lines)
    shipping = max(shipping_time(catalog.shipping_days(line, catalog.factory_id(line))) for line in lines)
    need = end_of_day - shipping - timedelta(minutes=float(making))
    return max(need, order.placed_at)


def order_lines_explode(
    *, lines: list[OrderLine], need_dates: dict[int, datetime], catalog: Catalog | None = None,
    per_order: bool = False,
) -> dict:
    """Create the requirements, job and operations of every order line (`need_dates`: order id → date).

    Returns the counts of parts and operations, for each order with `per_order` (order id → counts).
    Idempotent: what exists already is kept (unique constraints, conflicts ignored).
    """
    catalog = catalog or Catalog(line.family_id for line in lines)
    requirements, jobs, operations = [], [], []
    counts = defaultdict(lambda: {"parts": 0, "operations": 0})
    for line in lines:
        for part_id, quantity in catalog.needs(line).items():
            counts[line.order_id]["parts"] += 1
            requirements.append(
                Requirement(order_line=line, part_id=part_id, quantity=quantity, need_date=need_dates[line.order_id])
            )
        factory_id = catalog.factory_id(line)
        jobs.append(
            Job(order_line=line, number=f"{line.order.number}-{line.position}", factory_id=factory_id,
                shipping_days=catalog.shipping_days(line, factory_id))
        )
    Requirement.objects.bulk_create(requirements, ignore_conflicts=True)
    Job.objects.bulk_create(jobs, ignore_conflicts=True)
    job_ids = dict(Job.objects.filter(order_line__in=lines).values_list("order_line_id", "pk"))
    # Skip the steps that exist rather than ignoring conflicts: PostgreSQL cannot use the operations'
    # deferred no-overlap constraint as a conflict arbiter.
    existing = set(Operation.objects.filter(job_id__in=job_ids.values()).values_list("job_id", "sequence"))
    for line in lines:
        job_id = job_ids[line.pk]
        for sequence, name, minutes in catalog.operations(line):
            if (job_id, sequence) not in existing:
                operations.append(Operation(job_id=job_id, sequence=sequence, name=name, minutes=minutes))
                counts[line.order_id]["operations"] += 1
    Operation.objects.bulk_create(operations)
    if per_order:
        return {line.order_id: counts[line.order_id] for line in lines}
    return {"parts": len(requirements), "operations": len(operations)}


def order_explode(*, order: Order, need_date: datetime | None = None) -> dict:
    """Create the requirements and the job of every line of the order. Idempotent: exists → kept."""
    lines = list(order.lines.select_related("family", "order"))
    need_date = need_date or need_date_estimate(order, Catalog(line.family_id for line in lines))
    return order_lines_explode(lines=lines, need_dates={order.pk: need_date})



def _may_hold_with(row, option: str, group: set[str]) -> bool:
    """Whether a BOM line's or routing step's condition can hold when `option` is the group's choice."""
    if (set(row.condition_all) & group) - {option} or option in row.condition_none:
        return False
    anys = set(row.condition_any)
    return not (anys and anys <= group and option not in anys)


def options_uncovered(family_ids) -> dict[int, dict[str, str]]:
    """Family id → {option code: why it cannot be made}. An option is not covered by the BOM when every
    other option of its single-choice group (two or more) brings a part of its own and it brings none (an
    air conditioner with that front panel would be built without a panel); it is not covered by the
    routing when no operation of the family can run with it. Such an option cannot be ordered (the
    catalog offers it as unavailable) until its BOM line or routing step is added."""
    bom, routing = defaultdict(list), defaultdict(list)
    for row in BomLine.objects.filter(family_id__in=list(family_ids)):
        bom[row.family_id].append(row)
    for row in RoutingStep.objects.filter(family_id__in=list(family_ids)):
        routing[row.family_id].append(row)
    groups = defaultdict(lambda: defaultdict(list))
    for family_id, group_id, kind, code in Option.objects.filter(
        group__family_id__in=list(family_ids), active=True
    ).values_list("group__family_id", "group_id", "group__kind", "code"):
        groups[family_id][(group_id, kind)].append(code)
    uncovered: dict[int, dict[str, str]] = {}
    for family_id, by_group in groups.items():
        found = {}
        for (_group_id, kind), codes in by_group.items():
            group = set(codes)
            if routing[family_id]:
                for code in codes:
                    if not any(_may_hold_with(step, code, group) for step in routing[family_id]):
                        found[code] = _("no operation of the routing runs with it")
            if kind != "single" or len(codes) < 3:
                continue
            own = {code for code in codes
                   if any(code in row.condition_all or code in set(row.condition_any) for row in bom[family_id])}
            for code in sorted(group - own):
                if len(own) == len(group) - 1:
                    found.setdefault(code, _("it has no BOM line, while every other choice of its group brings a part"))
        if found:
            uncovered[family_id] = found
    return uncovered
