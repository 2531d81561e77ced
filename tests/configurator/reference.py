"""A brute-force reference for the configurator: enumerate every full configuration of a small family.

Written straight from the semantics in ``orders/configurator/engine.py``'s docstring, sharing no code with
the engine, so the property tests compare two independent readings of the same definitions.
"""

from decimal import Decimal, ROUND_HALF_UP
from itertools import combinations, product

from orders.configurator.spec import MULTI, NUMERIC, SINGLE

ABSENT, EXACT, AT_LEAST, MALFORMED = "absent", "exact", "at_least", "malformed"


def grid(g):
    count = int((g.maximum - g.minimum) / g.step)
    return [g.minimum + k * g.step for k in range(count + 1)]


def active(g):
    return [o.code for o in g.options if o.active]


def max_picks(g):
    n = len(active(g))
    return n if g.max_count is None else min(g.max_count, n)


def domain(g):
    """Every answer group ``g`` can have in a full configuration (None / frozenset() = nothing)."""
    if g.kind == NUMERIC:
        return grid(g) + ([] if g.required else [None])
    if g.kind == SINGLE:
        return active(g) + ([] if g.required else [None])
    counts = set(range(g.min_count, max_picks(g) + 1)) | ({0} if not g.required else set())
    return [frozenset(c) for k in sorted(counts) for c in combinations(active(g), k)]


def chosen(family, config):
    codes = set()
    for g in family.groups:
        answer = config[g.code]
        if g.kind == SINGLE and answer is not None:
            codes.add(answer)
        elif g.kind == MULTI:
            codes |= answer
    return codes


def holds(condition, codes):
    return (
        all(c in codes for c in condition.all)
        and (not condition.any or any(c in codes for c in condition.any))
        and not any(c in codes for c in condition.none)
    )


def violated(family, config):
    """The codes of the rules a full configuration violates."""
    codes = chosen(family, config)
    bad = set()
    for rule in family.rules:
        if not holds(rule.condition, codes):
            continue
        if rule.kind == "requires" and not any(t in codes for t in rule.targets):
            bad.add(rule.code)
        elif rule.kind == "excludes" and any(t in codes for t in rule.targets):
            bad.add(rule.code)
        elif rule.kind == "range":
            value = config[rule.group]
            if value is not None and (
                (rule.minimum is not None and value < rule.minimum) or (rule.maximum is not None and value > rule.maximum)
            ):
                bad.add(rule.code)
    return bad


def all_configs(family):
    groups = family.groups
    for values in product(*(domain(g) for g in groups)):
        yield {g.code: v for g, v in zip(groups, values)}


def valid_configs(family):
    return (config for config in all_configs(family) if not violated(family, config))


def read(family, selection):
    """Each group's (status, answer) for the selections ``random_selection`` draws."""
    result = {}
    for g in family.groups:
        raw = selection.get(g.code)
        if raw is None:
            result[g.code] = (ABSENT, None)
        elif g.kind == NUMERIC:
            value = Decimal(raw)
            result[g.code] = (EXACT, value) if value in grid(g) else (MALFORMED, None)
        elif g.kind == SINGLE:
            result[g.code] = (EXACT, raw) if raw in active(g) else (MALFORMED, None)
        else:
            picks = frozenset(raw)
            if not picks <= set(active(g)) or len(picks) > max_picks(g):
                result[g.code] = (MALFORMED, None)
            elif not picks and g.required and g.min_count > 0:
                result[g.code] = (ABSENT, None)
            elif len(picks) < g.min_count and picks:
                result[g.code] = (AT_LEAST, picks)
            else:
                result[g.code] = (EXACT, picks)
    return result


def keeps(state, answer):
    status, value = state
    if status == EXACT:
        return answer == value
    if status == AT_LEAST:
        return answer >= value
    return True


def fits(family, states, config, free=None):
    """Whether ``config`` keeps every answer of ``states`` except group ``free``'s."""
    return all(keeps(states[g.code], config[g.code]) for g in family.groups if g.code != free)


def available(family, states, configs, group, option):
    """Option ``option`` of ``group``: some valid configuration keeps the other answers and has it
    (for a multi group, together with the group's current choices)."""
    g = next(x for x in family.groups if x.code == group)
    status, value = states[group]
    for config in configs:
        if not fits(family, states, config, group):
            continue
        answer = config[group]
        if g.kind == SINGLE:
            if answer == option:
                return True
        elif option in answer and (status not in (EXACT, AT_LEAST) or answer >= value):
            return True
    return False


def reachable(family, states, configs, group):
    return {config[group] for config in configs if fits(family, states, config, group) and config[group] is not None}


def cost(family, states, config):
    """How many groups a fix to ``config`` changes."""
    total = 0
    for g in family.groups:
        status, value = states[g.code]
        answer = config[g.code]
        if status == EXACT:
            total += answer != value
        elif status in (AT_LEAST, MALFORMED):
            total += 1
        elif not g.required:
            total += answer not in (None, frozenset())
    return total


def price(family, states):
    cent = Decimal("0.01")
    total = family.base_price.quantize(cent, ROUND_HALF_UP)
    codes, numbers = set(), {}
    for g in family.groups:
        status, value = states[g.code]
        if status not in (EXACT, AT_LEAST):
            continue
        if g.kind == NUMERIC:
            numbers[g.code] = value
        else:
            picked = {value} if g.kind == SINGLE else value
            codes |= picked
            total += sum(o.price.quantize(cent, ROUND_HALF_UP) for o in g.options if o.code in picked)
    for rule in family.rules:
        if rule.kind == "surcharge" and holds(rule.condition, codes):
            total += rule.amount.quantize(cent, ROUND_HALF_UP)
        elif rule.kind == "unit_price" and rule.group in numbers and holds(rule.condition, codes):
            total += (rule.amount * numbers[rule.group]).quantize(cent, ROUND_HALF_UP)
    return total
