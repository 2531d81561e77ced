"""The configurator as the portal and the API use it: evaluate a selection, check an order line, quote."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from cosmo.numbers import plain
from orders.catalog import family_spec
from orders.configurator import check, choose, compile_family, default_selection, evaluate, option_statuses
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
    route: object | None = None  # the routed factory and date (see delivery_route)


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


def selection_size_problem(selection: dict) -> str | None:
    """Why a selection is too large to look at, or None (a family has far fewer groups than the limit)."""
    if len(selection) > settings.COSMO_SELECTION_MAX:
        return _("A configuration answers at most %(limit)s groups.") % {"limit": settings.COSMO_SELECTION_MAX}
    return None


def selection_check(family: ProductFamily, selection) -> SelectionCheck:
    if not isinstance(selection, dict):
        return SelectionCheck(errors={"configuration": [_("The configuration must be an object of group answers.")]})
    too_large = selection_size_problem(selection)
    if too_large:
        return SelectionCheck(errors={"configuration": [too_large]})
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


def delivery_route(family: ProductFamily, selection: dict, quantity: int, region=None, *, strict: bool = False):
    """The factory this configuration is routed to and the date it promises to the region (planning
    answers through COSMO_DELIVERY_QUOTE: an object with `date`, `factory_code` and `factory_name`). When
    no date can be promised: None, or NoDeliveryDate with the reason if strict."""
    path = getattr(settings, "COSMO_DELIVERY_QUOTE", "")
    if not path:
        return None
    try:
        return import_string(path)(family, selection, quantity, region)
    except LookupError as reason:  # the planner's QuoteError
        if strict:
            raise NoDeliveryDate(str(reason)) from None
        return None


def delivery_quote(family: ProductFamily, selection: dict, quantity: int, region=None, *, strict: bool = False):
    """The routed date alone (see `delivery_route`)."""
    route = delivery_route(family, selection, quantity, region, strict=strict)
    return route.date if route is not None else None


# -- the quantity ---------------------------------------------------------------------------------------------


def max_quantity() -> int:
    """The most units of one product an order line takes (COSMO_ORDER_MAX_QUANTITY), everywhere."""
    return int(getattr(settings, "COSMO_ORDER_MAX_QUANTITY", 10000))


def quantity_error(quantity) -> str | None:
    """Why a quantity cannot be ordered, in words; None when it can."""
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
        return _("The quantity must be a whole number of at least 1.")
    if quantity > max_quantity():
        return _("The most we take in one order is %(maximum)s units; for more, place several orders.") % {
            "maximum": max_quantity()
        }
    return None


def no_date_reason(quantity: int) -> str:
    """What a consumer reads when the factory cannot promise a date (the planner's reason stays inside)."""
    if quantity > 1:
        return _(
            "We cannot promise a delivery date for %(quantity)s units: that is more than our lines can fit "
            "into their plan. Try a smaller quantity, or split the order."
        ) % {"quantity": f"{quantity:,}"}
    return _("We cannot promise a delivery date for this configuration right now: a part or a line it needs is not available.")


def delivery_promise(family: ProductFamily, selection: dict, quantity: int, region=None) -> tuple[object | None, str]:
    """The route (its `date` and `factory_name`), or None with the reason in words (a quantity too large,
    no capacity…)."""
    problem = quantity_error(quantity)
    if problem:
        return None, problem
    try:
        route = delivery_route(family, selection, quantity, region, strict=True)
    except NoDeliveryDate:
        return None, no_date_reason(quantity)
    return route, ""


# -- choosing with no dead ends -------------------------------------------------------------------------------


def selection_choose(family: ProductFamily, selection: dict, option: str, chosen, value=None):
    """The engine's ``choose`` on a family: the selection that takes ``option`` with the fewest changes."""
    return choose(family_compiled(family), selection, option, chosen, value=value)


def selection_statuses(family: ProductFamily, selection: dict, chosen, evaluation: Evaluation):
    """Every option's status: fits, fits with changes (which), impossible (why)."""
    return option_statuses(family_compiled(family), selection, chosen, evaluation)


def family_names(family: ProductFamily) -> dict:
    """Group and option codes → the names a person reads."""
    names = {}
    for group in family.groups.all():
        names[group.code] = group.name
        for option in group.options.all():
            names[option.code] = option.name
    return names


def answer_text(value, group: OptionGroup | None, names: dict) -> str:
    """A group's answer in words: option names, a number with its unit, or "none"."""
    if value is None or value == [] or value == ():
        return _("none")
    if isinstance(value, (list, tuple)):
        return ", ".join(names.get(code, _("an option no longer offered")) for code in value)
    if group is not None and group.kind == OptionGroup.Kind.NUMERIC:
        try:
            number = Decimal(str(value))
        except (InvalidOperation, ValueError):
            return f"“{value}”"  # what was typed, not a number (the fix replaces it)
        if not number.is_finite():
            return f"“{value}”"
        return f"{plain(number)} {group.unit}".strip()
    return names.get(value, _("an answer that no longer fits"))


def change_text(change, family: ProductFamily, names: dict | None = None) -> str:
    """One change of a choice or a fix in words: "Height: 185 cm → 203 cm"."""
    names = names or family_names(family)
    group = next((g for g in family.groups.all() if g.code == change.group), None)
    label = group.name if group else change.group
    if group is not None and group.kind == OptionGroup.Kind.MULTI and (change.added or change.removed):
        parts = []
        if change.added:
            parts.append(_("add %(options)s") % {"options": answer_text(list(change.added), group, names)})
        if change.removed:
            parts.append(_("remove %(options)s") % {"options": answer_text(list(change.removed), group, names)})
        return f"{label}: {', '.join(parts)}"
    return f"{label}: {answer_text(change.before, group, names)} → {answer_text(change.after, group, names)}"


def configuration_rows(family: ProductFamily, configuration: dict) -> list[tuple[str, str]]:
    """A configuration as a person reads it: (group name, the chosen options or number), in catalog order."""
    names = family_names(family)
    rows = []
    for group in family.groups.all():
        value = configuration.get(group.code)
        if value in (None, "", []):
            continue
        rows.append((group.name, answer_text(value, group, names)))
    return rows
