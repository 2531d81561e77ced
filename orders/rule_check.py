"""The shape of one configuration rule, checked before it is saved: the codes it names are options of
its family, the lists are lists of codes, and each kind has what it needs (a target for requires and
excludes, a numeric group and bounds for a range, an amount for a surcharge, a numeric group and an
amount for a price per unit). The answer is field → reasons, in words an administrator can act on."""

from decimal import Decimal

from django.utils.translation import gettext as _

from orders.models import Option, OptionGroup, Rule

CODE_LISTS = ("condition_all", "condition_any", "condition_none", "targets")


def codes_parse(value) -> list[str] | None:
    """A list of option codes from what an administrator typed: a JSON list, or codes separated by commas
    or spaces. None when it is neither (a number, an object, a list of non-strings)."""
    if value in (None, ""):
        return []
    if isinstance(value, list):
        return value if all(isinstance(code, str) for code in value) else None
    if isinstance(value, str):
        return [code for code in value.replace(",", " ").split() if code]
    return None


def rule_errors(*, family, data: dict) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    options = dict(Option.objects.filter(group__family=family).values_list("code", "group__code")) if family else {}
    numeric = set(
        OptionGroup.objects.filter(family=family, kind=OptionGroup.Kind.NUMERIC).values_list("code", flat=True)
    ) if family else set()
    for field in CODE_LISTS:
        codes = data.get(field) or []
        if not isinstance(codes, list) or not all(isinstance(code, str) for code in codes):
            errors[field] = [_('Write option codes separated by commas, e.g. PANEL_WHITE, CTRL_SMART (or a JSON '
                               'list such as ["PANEL_WHITE"]).')]
            continue
        unknown = [code for code in codes if code not in options]
        if unknown and family:
            errors[field] = [_("%(codes)s %(verb)s not an option of %(family)s; its options are listed on the family page.")
                             % {"codes": ", ".join(unknown), "verb": _("is") if len(unknown) == 1 else _("are"),
                                "family": family.name}]
    kind = data.get("kind")
    group = data.get("group_code") or ""
    minimum, maximum, amount = data.get("minimum"), data.get("maximum"), data.get("amount")
    if kind in (Rule.Kind.REQUIRES, Rule.Kind.EXCLUDES) and not data.get("targets") and "targets" not in errors:
        errors["targets"] = [_("A “%(kind)s” rule needs at least one target option.") % {"kind": Rule.Kind(kind).label}]
    if kind in (Rule.Kind.RANGE, Rule.Kind.UNIT_PRICE):
        if not group:
            errors["group_code"] = [_("Name the numeric group this rule is about.")]
        elif family and group not in numeric:
            errors["group_code"] = [_("%(group)s is not a numeric group of %(family)s (numeric groups: %(groups)s).")
                                    % {"group": group, "family": family.name, "groups": ", ".join(sorted(numeric)) or "—"}]
    if kind == Rule.Kind.RANGE:
        if minimum is None and maximum is None:
            errors["minimum"] = [_("A range needs a minimum, a maximum or both.")]
        elif minimum is not None and maximum is not None and Decimal(minimum) > Decimal(maximum):
            errors["maximum"] = [_("The maximum (%(max)s) is below the minimum (%(min)s).") % {"max": maximum, "min": minimum}]
    if kind in (Rule.Kind.SURCHARGE, Rule.Kind.UNIT_PRICE) and amount is None:
        errors["amount"] = [_("A price rule needs an amount.")]
    return errors
