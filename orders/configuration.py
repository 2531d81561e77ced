"""The configurator as the portal and the API use it: evaluate a selection, check an order line, quote."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from cosmo.numbers import plain
from orders.catalog import family_spec
from orders.configurator import check, compile_family, default_selection, evaluate
from orders.configurator.result import Evaluation, LineCheck
from orders.models import OptionGroup, ProductFamily


@dataclass
class SelectionCheck:
    """`errors` maps each configuration field (a group code) to its reasons; empty when the line can be ordered."""

    errors: dict = field(default_factory=dict)
    configuration: dict = field(default_factory=dict)
    variant_code: str = ""
    unit_price: Decimal = Decimal("0")
    breakdown: list = field(default_factory=list)
    promised: date | None = None


# (family id, its stamp) → the compiled family, per process (see orders/versions.py).
_compiled: dict[tuple, object] = {}
_COMPILED_KEEP = 256


def family_compiled(family: ProductFamily):
    """The compiled family as stored at `family.updated_at` (read the family now to see the latest).

    Compiled once per process and stamp: a request that has the family row asks no more of the database."""
    key = (family.pk, family.updated_at)
    compiled = _compiled.get(key)
    if compiled is None:
        rows = ProductFamily.objects.prefetch_related("groups__options", "rules").get(pk=family.pk)
        compiled = compile_family(family_spec(rows))
        if len(_compiled) >= _COMPILED_KEEP:
            _compiled.clear()
        _compiled[key] = compiled
    return compiled


def family_defaults(family: ProductFamily) -> dict:
    """The catalog's default selection of a family."""
    return default_selection(family_compiled(family))


def selection_evaluate(family: ProductFamily, selection) -> Evaluation:
    """The engine's whole answer for a (partial) selection: validity, availability, price, fix."""
    return evaluate(family_compiled(family), selection if isinstance(selection, dict) else {})


def group_error_text(error, group: OptionGroup | None) -> str:
    """The engine's reason for a malformed answer, in the reader's language (the engine speaks English)."""
    if group is None:
        return _("There is no group “%(group)s” in this product.") % {"group": error.group}
    params = {
        "group": group.name,
        "value": error.value,
        "minimum": plain(group.minimum),
        "maximum": plain(group.maximum),
        "step": plain(group.step),
        "unit": group.unit,
        "count": group.max_count if error.code == "too_many" else group.min_count,
    }
    texts = {
        "unknown_option": _("“%(value)s” is not an option of %(group)s."),
        "inactive_option": _("This choice of %(group)s is no longer available."),
        "wrong_type": _("%(group)s expects an option code (or a list of them for a multiple choice)."),
        "not_a_number": _("%(group)s expects a number."),
        "out_of_range": _("%(group)s must be between %(minimum)s and %(maximum)s %(unit)s."),
        "off_step": _("%(group)s must be %(minimum)s %(unit)s plus a multiple of %(step)s %(unit)s."),
        "too_many": _("Choose at most %(count)s in %(group)s."),
        "too_few": _("Choose at least %(count)s in %(group)s."),
    }
    return texts[error.code] % params if error.code in texts else error.message


def evaluation_errors(result: Evaluation | LineCheck, family: ProductFamily) -> dict:
    """Field (group code) → reasons, for every malformed answer, missing group and broken rule."""
    errors: dict = {}
    if not (result.errors or result.missing or result.broken):
        return errors
    groups = {group.code: group for group in family.groups.all()}
    for error in result.errors:
        errors.setdefault(error.group, []).append(group_error_text(error, groups.get(error.group)))
    for group in result.missing:
        if group not in errors:  # a malformed answer already says what is wrong with it
            errors[group] = [_("This group needs an answer.")]
    if isinstance(result, LineCheck):
        option_group = result.option_groups
    else:
        option_group = {state.code: state.group for state in result.options.values()}
    for rule in result.broken:
        group = rule.group or next((option_group[o] for o in rule.options if o in option_group), "configuration")
        errors.setdefault(group, []).append(rule.message)
    return errors


def selection_check(family: ProductFamily, selection) -> SelectionCheck:
    if not isinstance(selection, dict):
        return SelectionCheck(errors={"configuration": [_("The configuration must be an object of group answers.")]})
    result = check(family_compiled(family), selection)
    return SelectionCheck(
        errors=evaluation_errors(result, family),
        configuration=result.selection_json(),
        variant_code=result.variant_code or "",
        unit_price=result.price,
        breakdown=result.price_lines_json(),
    )


class NoDeliveryDate(Exception):
    """The factory cannot promise a date for this line (no line long enough, no supplier for a part…)."""


def delivery_quote(family: ProductFamily, selection: dict, quantity: int, *, strict: bool = False):
    """The date the factory promises for this configuration (planning answers through
    COSMO_DELIVERY_QUOTE). When it cannot promise one: None, or NoDeliveryDate with the reason if strict."""
    path = getattr(settings, "COSMO_DELIVERY_QUOTE", "")
    if not path:
        return None
    try:
        return import_string(path)(family, selection, quantity)
    except LookupError as reason:  # the planner's QuoteError
        if strict:
            raise NoDeliveryDate(str(reason)) from None
        return None
