"""Check a configuration of a family through the configurator engine, in the shape an order needs."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from orders.catalog import family_spec
from orders.configurator import compile_family, evaluate
from orders.models import ProductFamily


@dataclass
class SelectionCheck:
    """`errors` maps each configuration field (a group code) to its reasons; empty when the line can be ordered."""

    errors: dict = field(default_factory=dict)
    configuration: dict = field(default_factory=dict)
    variant_code: str = ""
    unit_price: Decimal = Decimal("0")
    breakdown: list = field(default_factory=list)


def family_compiled(family: ProductFamily):
    """The compiled family (the engine caches it by the spec's fingerprint)."""
    family = ProductFamily.objects.prefetch_related("groups__options", "rules").get(pk=family.pk)
    return compile_family(family_spec(family))


def selection_check(family: ProductFamily, selection) -> SelectionCheck:
    if not isinstance(selection, dict):
        return SelectionCheck(errors={"configuration": [_("The configuration must be an object of group answers.")]})
    result = evaluate(family_compiled(family), selection)
    errors: dict = {}
    for error in result.errors:
        errors.setdefault(error.group, []).append(error.message)
    for group in result.missing:
        errors.setdefault(group, []).append(_("This group needs an answer."))
    option_group = {state.code: state.group for state in result.options.values()}
    for rule in result.broken:
        group = rule.group or next((option_group[o] for o in rule.options if o in option_group), "configuration")
        errors.setdefault(group, []).append(rule.message)
    as_json = result.as_dict()
    return SelectionCheck(
        errors=errors,
        configuration=as_json["selection"],
        variant_code=result.variant_code or "",
        unit_price=result.price,
        breakdown=as_json["price_lines"],
    )
