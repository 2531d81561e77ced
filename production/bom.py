"""Explode an order line into its material requirements and its job with operations."""

from collections import defaultdict
from datetime import datetime
from decimal import Decimal

from orders.models import Order, OrderLine
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


def line_requirements(line: OrderLine) -> dict:
    """Part → quantity this order line needs, from the family's conditional BOM."""
    chosen = chosen_codes(line.configuration)
    needs: dict = defaultdict(Decimal)
    for bom_line in line.family.bom_lines.select_related("part"):
        if not bom_line.applies_to(chosen):
            continue
        quantity = bom_line.quantity * line.quantity
        if bom_line.per_group:
            quantity *= numeric_value(line.configuration, bom_line.per_group)
        if quantity > 0:
            needs[bom_line.part] += quantity
    return needs


def line_operations(line: OrderLine) -> list[tuple[int, str, Decimal]]:
    """(sequence, name, minutes for the whole line quantity) of the routing steps that apply."""
    chosen = chosen_codes(line.configuration)
    return [
        (step.sequence, step.name, step.minutes * line.quantity)
        for step in line.family.routing_steps.all()
        if step.applies_to(chosen)
    ]


def factory_for(line: OrderLine) -> Factory:
    """The factory that makes this family: the first one with a capable line."""
    factory = Factory.objects.filter(lines__capabilities__family=line.family).order_by("code").first()
    if factory is None:
        raise LookupError(f"no factory has a line able to make {line.family.code}")
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
