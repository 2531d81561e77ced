"""Random families and selections, for the exactness tests and the benchmark (seeded, reproducible).

``random_family(rng, groups=…, options=…, rules=…)`` draws a family with single, multi and numeric groups,
optional groups, inactive options, defaults, and rules of every kind with all/any/none conditions;
``random_selection(rng, family)`` draws a partial selection, well formed or (with ``malformed`` > 0) not.
"""

from __future__ import annotations

import random
from decimal import Decimal

from .spec import EXCLUDES, MULTI, NUMERIC, RANGE, REQUIRES, SINGLE, SURCHARGE, UNIT_PRICE, Condition, Family, Group, Option, Rule


def random_family(
    rng: random.Random,
    *,
    groups: int = 4,
    options: int = 3,
    rules: int = 5,
    numeric_share: float = 0.2,
    multi_share: float = 0.2,
    grid: int = 5,
    exact_options: bool = False,
    always_share: float | None = None,
    code: str = "RND",
) -> Family:
    """A random family of ``groups`` groups with up to ``options`` options each (exactly that many with
    ``exact_options``) and ``rules`` rules; with ``always_share`` set, only that share of the rules has an
    empty condition (the others name at least one option in "all of")."""
    made = []
    for gi in range(groups):
        kind = rng.choices((SINGLE, MULTI, NUMERIC), (1 - numeric_share - multi_share, multi_share, numeric_share))[0]
        required = rng.random() < 0.7
        name = f"G{gi}"
        if kind == NUMERIC:
            step = rng.choice((Decimal("1"), Decimal("0.5"), Decimal("0.25")))
            minimum = Decimal(rng.randint(0, 4))
            count = rng.randint(1, grid)
            made.append(Group(name, name, NUMERIC, required, minimum=minimum, maximum=minimum + step * (count - 1), step=step, unit="u"))
            continue
        n = options if exact_options else rng.randint(1, options)
        opts = tuple(
            Option(f"{name}O{oi}", f"{name} option {oi}", Decimal(rng.randint(0, 40)), is_default=rng.random() < 0.2, active=rng.random() < 0.9)
            for oi in range(n)
        )
        if kind == MULTI:
            low = rng.randint(0, min(2, n))
            high = rng.choice((None, rng.randint(low, n)))
            made.append(Group(name, name, MULTI, required, options=opts, min_count=low, max_count=high))
        else:
            made.append(Group(name, name, SINGLE, required, options=opts))
    codes = [o.code for g in made for o in g.options]
    numeric = [g for g in made if g.kind == NUMERIC]

    def pick(k):
        return tuple(rng.sample(codes, min(k, len(codes))))

    drawn = []
    for ri in range(rules):
        kinds = [REQUIRES, EXCLUDES, REQUIRES, EXCLUDES, SURCHARGE] + ([RANGE, UNIT_PRICE] if numeric else [])
        kind = rng.choice(kinds) if codes else (RANGE if numeric else SURCHARGE)
        condition = Condition(
            all=pick(rng.choice((0, 1, 1, 2))) if codes else (),
            any=pick(rng.choice((0, 0, 2))) if codes else (),
            none=pick(rng.choice((0, 0, 1))) if codes else (),
        )
        if always_share is not None and codes and not condition.all and rng.random() >= always_share:
            condition = Condition(all=pick(1), any=condition.any, none=condition.none)
        rule = dict(code=f"R{ri}", kind=kind, condition=condition, message=f"rule {ri}")
        if kind in (REQUIRES, EXCLUDES):
            rule["targets"] = pick(rng.randint(1, 3))
        elif kind == SURCHARGE:
            rule["amount"] = Decimal(rng.randint(1, 50))
        else:
            g = rng.choice(numeric)
            rule["group"] = g.code
            if kind == UNIT_PRICE:
                rule["amount"] = Decimal(rng.randint(1, 9)) / 2
            else:
                values = [g.minimum + k * g.step for k in range(int((g.maximum - g.minimum) / g.step) + 1)]
                low, high = sorted(rng.sample(values, 2) if len(values) > 1 else values * 2)
                rule["minimum"] = rng.choice((low, None, low - g.step / 2))
                rule["maximum"] = rng.choice((high, None, high + g.step / 2))
        drawn.append(Rule(**rule))
    return Family(code, "Random family", Decimal("100"), "EUR", tuple(made), tuple(drawn))


def random_selection(rng: random.Random, family: Family, *, answered: float = 0.6, malformed: float = 0.0) -> dict:
    """A random partial selection: each group answered with probability ``answered``; an answer is
    malformed (unknown or inactive code, too many choices, a number out of range or off its step) with
    probability ``malformed``."""
    selection = {}
    for g in family.groups:
        if rng.random() >= answered:
            continue
        bad = rng.random() < malformed
        if g.kind == NUMERIC:
            count = int((g.maximum - g.minimum) / g.step)
            value = g.minimum + rng.randint(0, count) * g.step
            if bad:
                value = rng.choice((g.maximum + g.step, g.minimum - 1, value + g.step / 3))
            selection[g.code] = rng.choice((value, str(value)))
            continue
        codes = [o.code for o in g.options if o.active or bad]
        if bad and rng.random() < 0.3:
            codes = codes + ["NO_SUCH_OPTION"]
        if not codes:
            continue
        if g.kind == SINGLE:
            selection[g.code] = rng.choice(codes)
        else:
            high = len(codes) if bad else min(len(codes), g.max_count if g.max_count is not None else len(codes))
            selection[g.code] = rng.sample(codes, rng.randint(0, high))
    return selection
