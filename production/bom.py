"""Explode an order line into its material requirements and its job with operations."""

from collections import defaultdict
from datetime import datetime
from decimal import Decimal

from orders.models import Order, OrderLine, ProductFamily
from production.models import Factory, Job, Operation, Requirement


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


def family_requirements(family: ProductFamily, configuration: dict, quantity: int) -> dict:
    """Part → quantity that `quantity` units of this configuration need, from the family's conditional BOM."""
    chosen = chosen_codes(configuration)
    needs: dict = defaultdict(Decimal)
    for bom_line in family.bom_lines.select_related("part"):
        if not bom_line.applies_to(chosen):
            continue
        amount = bom_line.quantity * quantity
        if bom_line.per_group:
            amount *= numeric_value(configuration, bom_line.per_group)
        if amount > 0:
            needs[bom_line.part] += amount
    return needs


def family_operations(family: ProductFamily, configuration: dict, quantity: int) -> list[tuple[int, str, Decimal]]:
    """(sequence, name, minutes for all `quantity` units) of the routing steps that apply."""
    chosen = chosen_codes(configuration)
    return [
        (step.sequence, step.name, step.minutes * quantity)
        for step in family.routing_steps.all()
        if step.applies_to(chosen)
    ]


def line_requirements(line: OrderLine) -> dict:
    """Part → quantity this order line needs."""
    return family_requirements(line.family, line.configuration, line.quantity)


def line_operations(line: OrderLine) -> list[tuple[int, str, Decimal]]:
    """The routing steps of this order line, with the minutes for its quantity."""
    return family_operations(line.family, line.configuration, line.quantity)


def factory_for(line: OrderLine) -> Factory:
    """The factory that makes this order line's family."""
    return family_factory(line.family)


def family_factory(family: ProductFamily) -> Factory:
    """The factory that makes this family: the first one with a capable line."""
    factory = Factory.objects.filter(lines__capabilities__family=family).order_by("code").first()
    if factory is None:
        raise LookupError(f"no factory has a line able to make {family.code}")
    return factory


def order_explode(*, order: Order, need_date: datetime) -> dict:
    """Create the requirements and the job of every line of the order. Idempotent: exists → kept."""
    parts = operations = 0
    for line in order.lines.select_related("family"):
        for part, quantity in line_requirements(line).items():
            Requirement.objects.get_or_create(
                order_line=line, part=part, defaults={"quantity": quantity, "need_date": need_date}
            )
            parts += 1
        job, _ = Job.objects.get_or_create(
            order_line=line, defaults={"number": f"{order.number}-{line.position}", "factory": factory_for(line)}
        )
        for sequence, name, minutes in line_operations(line):
            Operation.objects.get_or_create(job=job, sequence=sequence, defaults={"name": name, "minutes": minutes})
            operations += 1
    return {"parts": parts, "operations": operations}
