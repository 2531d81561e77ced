"""The configurator as the portal and the API use it: evaluate a selection, check an order line, quote."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from orders.catalog import family_spec
from orders.configurator import compile_family, default_selection, evaluate
from orders.configurator.result import Evaluation
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


def family_defaults(family: ProductFamily) -> dict:
    """The catalog's default selection of a family."""
    return default_selection(family_compiled(family))


def selection_evaluate(family: ProductFamily, selection) -> Evaluation:
    """The engine's whole answer for a (partial) selection: validity, availability, price, fix."""
    return evaluate(family_compiled(family), selection if isinstance(selection, dict) else {})


def evaluation_errors(result: Evaluation) -> dict:
    """Field (group code) → reasons, for every malformed answer, missing group and broken rule."""
    errors: dict = {}
    for error in result.errors:
        errors.setdefault(error.group, []).append(error.message)
    for group in result.missing:
        errors.setdefault(group, []).append(_("This group needs an answer."))
    option_group = {state.code: state.group for state in result.options.values()}
    for rule in result.broken:
        group = rule.group or next((option_group[o] for o in rule.options if o in option_group), "configuration")
        errors.setdefault(group, []).append(rule.message)
    return errors


def selection_check(family: ProductFamily, selection) -> SelectionCheck:
    if not isinstance(selection, dict):
        return SelectionCheck(errors={"configuration": [_("The configuration must be an object of group answers.")]})
    result = selection_evaluate(family, selection)
    as_json = result.as_dict()
    return SelectionCheck(
        errors=evaluation_errors(result),
        configuration=as_json["selection"],
        variant_code=result.variant_code or "",
        unit_price=result.price,
        breakdown=as_json["price_lines"],
    )


def delivery_quote(family: ProductFamily, selection: dict, quantity: int):
    """The date the factory promises for this configuration (planning answers through COSMO_DELIVERY_QUOTE)."""
    path = getattr(settings, "COSMO_DELIVERY_QUOTE", "")
    if not path:
        return None
    return import_string(path)(family, selection, quantity)
