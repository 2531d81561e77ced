"""The configurator engine: compile a family spec once, then evaluate selections against it.

A *selection* maps group codes to answers: an option code (single), a list of option codes (multi), or a
number as ``Decimal``, ``int`` or ``str`` (numeric). It may be partial. ``None`` (or a missing key) means
"not answered". ``evaluate`` returns an ``Evaluation`` (see ``result.py``), whose meaning is fixed here.

How a selection is read
    Each group's answer is *exact* (well formed), *absent*, *malformed* (unknown or inactive option, wrong
    type, too many choices, a number that is not a number, out of range or off its step: reported in
    ``errors`` and otherwise treated as absent) or, for a multi group with fewer choices than ``min_count``,
    *at least* its choices (reported as ``too_few``; the choices stay and more must be added). An empty list
    answers an optional multi group or one whose ``min_count`` is 0; otherwise it leaves the group absent.

Completeness and validity
    ``complete``: every required group has an exact answer (``missing`` lists the others). A *full
    configuration* answers every group; an absent optional group counts as "nothing chosen" in it.
    ``valid``: complete, no errors, no broken rule. ``satisfiable``: some valid full configuration keeps
    every exact answer and every "at least" choice (absent groups, optional or not, may take any value).

Broken rules
    A rule is broken when the answers given already violate it, whatever the absent required groups and the
    missing choices of an "at least" group become (three-valued logic, option by option); an absent optional
    group counts as empty. For a complete selection these are exactly the violated rules.

Availability ("can still be chosen") is exact
    Option ``o`` of group ``G`` is available iff some valid full configuration ``C`` keeps the answers of
    every other group (exact answers as they are, "at least" choices included) and
      - single: has ``C[G] = o`` (G's current choice is replaced, so the alternatives of a chosen single
        group stay visible, and choosing one of them leads to a valid configuration);
      - multi: has ``o`` and all of G's current choices in ``C[G]`` (ticking ``o`` keeps the other ticks;
        an already chosen ``o`` is available iff the current choices of G can stay);
    and a numeric value ``x`` of ``G`` is reachable iff some such ``C`` has ``C[G] = x`` (G's current value
    is replaced). Malformed and absent groups are free. An unavailable option carries the rules and the
    current choices that rule it out: a set that is sufficient by itself (with the rules named, those
    choices alone leave no valid configuration with the option), not always the smallest such set.

Price
    ``base_price`` + the delta of every chosen option + each surcharge whose condition holds on the chosen
    options + for each unit-price rule whose condition holds, ``amount`` × the numeric group's value (when
    answered). Lines are rounded to cents (half up); ``price`` is their sum. Absent groups add nothing.

Variant code
    For a valid selection: ``<family code>-XXXX-XXXX``, where ``XXXXXXXX`` are the first 40 bits, in
    Crockford base 32, of SHA-256 over the family code and the canonical answers (group codes sorted, the
    options of a multi group sorted, numbers normalised, empty optional groups left out). The same
    configuration gives the same code whatever the order of choice; it does not depend on names or prices.
    ``None`` for a selection that is not valid.

Fix (``fix`` is ``None`` unless there are errors or broken rules or the selection is not satisfiable)
    The new selection keeps every exact answer except those it changes, drops or replaces every malformed
    or "at least" answer, and may fill absent optional groups; absent required groups stay absent. It
    changes as few groups as possible (an exact answer replaced, a malformed or "at least" answer replaced,
    an absent optional group filled: one each), and it is satisfiable, has no errors and no broken rule.
    Among the fixes with that many changes it prefers those that change fewer given (exact) answers, so
    filling an empty optional group wins over replacing a choice; then, group by group, the answer
    closest to what was there: the nearest allowed number, a multi answer that keeps and adds back as
    many of the previous choices as possible, the default option, then catalog order. ``None`` also when
    the family admits no valid configuration at all. The search is an implicit hitting set over
    conflicts; past a few conflicts (a selection far from any valid one) CP-SAT finds the same optimum.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Mapping

from .result import (
    BlockedRange,
    BrokenRule,
    Change,
    Choice,
    Evaluation,
    Fix,
    GroupError,
    LineCheck,
    NumericState,
    OptionState,
    PriceLine,
    ValueRange,
)
from .solver import Explanation, Problem, Solver
from .spec import (
    EXCLUDES,
    GROUP_KINDS,
    MULTI,
    NUMERIC,
    RANGE,
    REQUIRES,
    RULE_KINDS,
    SINGLE,
    SURCHARGE,
    UNIT_PRICE,
    Family,
    Group,
    Option,
    to_decimal,
)

ABSENT, EXACT, AT_LEAST, MALFORMED = "absent", "exact", "at_least", "malformed"
CENT = Decimal("0.01")
_FLIP_POOL = 8  # how many recent configurations to try flipping before searching
_FIX_CORES = 8  # conflicts the fix's own search collects before CP-SAT takes over
_FIX_SECONDS = 5.0  # CP-SAT's time limit for one fix (it proves the optimum well within it in practice)
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


# -- spec checks ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FamilyProblem:
    """A problem of a family spec: ``severity`` is "error" (it cannot be compiled) or "warning"."""

    severity: str
    code: str
    message: str
    subject: str = ""


class SpecError(ValueError):
    """The spec cannot be compiled; ``problems`` lists every structural error."""

    def __init__(self, problems: list[FamilyProblem]):
        self.problems = problems
        super().__init__("; ".join(p.message for p in problems))


def _structural_problems(spec: Family) -> list[FamilyProblem]:
    problems = []

    def error(code, message, subject=""):
        problems.append(FamilyProblem("error", code, message, subject))

    group_codes, option_codes, rule_codes = set(), set(), set()
    numeric_groups = set()
    for g in spec.groups:
        if g.code in group_codes:
            error("duplicate_group", f"Group code {g.code} is used twice.", g.code)
        group_codes.add(g.code)
        if g.kind not in GROUP_KINDS:
            error("bad_group_kind", f"Group {g.code} has unknown kind {g.kind!r}.", g.code)
            continue
        if g.kind == NUMERIC:
            numeric_groups.add(g.code)
            if g.options:
                error("numeric_options", f"Numeric group {g.code} cannot have options.", g.code)
            if g.minimum is None or g.maximum is None or g.step is None:
                error("numeric_bounds", f"Numeric group {g.code} needs a minimum, a maximum and a step.", g.code)
            elif g.step <= 0 or g.minimum > g.maximum:
                error("numeric_bounds", f"Numeric group {g.code} needs step > 0 and minimum ≤ maximum.", g.code)
        if g.kind == MULTI:
            if g.min_count < 0 or (g.max_count is not None and g.max_count < g.min_count):
                error("multi_counts", f"Group {g.code} needs 0 ≤ min_count ≤ max_count.", g.code)
        for o in g.options:
            if o.code in option_codes:
                error("duplicate_option", f"Option code {o.code} is used twice.", o.code)
            option_codes.add(o.code)
    for r in spec.rules:
        if r.code in rule_codes:
            error("duplicate_rule", f"Rule code {r.code} is used twice.", r.code)
        rule_codes.add(r.code)
        if r.kind not in RULE_KINDS:
            error("bad_rule_kind", f"Rule {r.code} has unknown kind {r.kind!r}.", r.code)
        if r.kind in (RANGE, UNIT_PRICE) and r.group not in numeric_groups:
            error("rule_group", f"Rule {r.code} must name a numeric group.", r.code)
        if r.kind in (SURCHARGE, UNIT_PRICE) and r.amount is None:
            error("rule_amount", f"Rule {r.code} needs an amount.", r.code)
    return problems


# -- compiling --------------------------------------------------------------------------------------------


class CompiledGroup:
    """One group of a compiled family: its active options and their variables, or its numeric segments.

    A numeric group's grid (``minimum + k × step`` for ``k`` in ``0..grid_max``) is cut into segments at the
    bounds of its range rules, so that all values of a segment behave the same; one variable per segment.
    """

    def __init__(self, index: int, spec: Group):
        self.index = index
        self.spec = spec
        self.code = spec.code
        self.kind = spec.kind
        self.required = spec.required
        self.options: list[Option] = []
        self.segments: list[tuple[int, int]] = []
        self.value_vars: list[int] = []
        self.none_var: int | None = None
        self.grid_max = 0
        self.counts: tuple[int, ...] = (1,)

    @property
    def vars(self) -> list[int]:
        return self.value_vars + ([] if self.none_var is None else [self.none_var])

    def grid_value(self, k: int) -> Decimal:
        return self.spec.minimum + k * self.spec.step

    def grid_index(self, value: Decimal) -> int:
        return int((value - self.spec.minimum) / self.spec.step)

    def segment_of(self, value: Decimal) -> int:
        k = self.grid_index(value)
        for i, (low, high) in enumerate(self.segments):
            if low <= k <= high:
                return i
        raise ValueError(value)


class CompiledFamily:
    """A family compiled for evaluation: build it with ``compile_family``; read-only and thread-safe."""

    def __init__(self, spec: Family, key: tuple[str, str]):
        problems = _structural_problems(spec)
        if problems:
            raise SpecError(problems)
        self.spec = spec
        self.key = key
        self.code = spec.code
        self.groups = [CompiledGroup(i, g) for i, g in enumerate(spec.groups)]
        self.group_by_code = {g.code: g for g in self.groups}
        self.option_group: dict[str, CompiledGroup] = {}
        self.option_var: dict[str, int] = {}
        self.var_option: dict[int, Option] = {}
        nvars = 0
        for g in self.groups:
            if g.kind == NUMERIC:
                g.grid_max = int((g.spec.maximum - g.spec.minimum) // g.spec.step)
                g.segments = self._segments(g)
                g.value_vars = list(range(nvars, nvars + len(g.segments)))
                nvars += len(g.segments)
            else:
                for o in g.spec.options:
                    self.option_group[o.code] = g
                    if o.active:
                        g.options.append(o)
                        g.value_vars.append(nvars)
                        self.option_var[o.code] = nvars
                        self.var_option[nvars] = o
                        nvars += 1
            if g.kind != MULTI and not g.required:
                g.none_var = nvars
                nvars += 1
            if g.kind == MULTI:
                n = len(g.options)
                high = n if g.spec.max_count is None else min(g.spec.max_count, n)
                counts = set(range(g.spec.min_count, high + 1))
                if not g.required:
                    counts.add(0)
                g.counts = tuple(sorted(counts))
        self.nvars = nvars
        clauses, clause_rule = [], []
        self.rule_clauses: list[list[int]] = []
        for ri, rule in enumerate(spec.rules):
            mine = []
            for clause in self._rule_clauses(rule):
                mine.append(len(clauses))
                clauses.append(clause)
                clause_rule.append(ri)
            self.rule_clauses.append(mine)
        self.problem = Problem(
            nvars, clauses, clause_rule, [g.vars for g in self.groups], [g.counts for g in self.groups]
        )
        occ = self.problem.occ
        self.group_clauses = [
            sorted({ci for v in g.vars for lit in (2 * v, 2 * v + 1) for ci in occ[lit]}) for g in self.groups
        ]
        self.root = Solver(self.problem)
        self._cp_model = None
        self.default_phase = self._default_phase()

    def cp_model(self):
        """The constraints as a CP-SAT model (variable i is the solver's variable i), built on first use."""
        if self._cp_model is None:
            from ortools.sat.python import cp_model

            model = cp_model.CpModel()
            x = [model.NewBoolVar(f"v{v}") for v in range(self.nvars)]
            for clause in self.problem.clauses:
                model.AddBoolOr([x[lit >> 1] if lit & 1 == 0 else x[lit >> 1].Not() for lit in clause])
            for vs, counts in zip(self.problem.groups, self.problem.allowed):
                if counts == (1,):
                    model.AddExactlyOne([x[v] for v in vs])
                else:
                    model.AddLinearExpressionInDomain(sum(x[v] for v in vs), cp_model.Domain.FromValues(list(counts)))
            self._cp_model = model
        return self._cp_model

    def _range_interval(self, g: CompiledGroup, rule) -> tuple[int, int]:
        low, high = 0, g.grid_max
        if rule.minimum is not None:
            k = ((rule.minimum - g.spec.minimum) / g.spec.step).to_integral_value(ROUND_CEILING)
            low = max(low, int(k))
        if rule.maximum is not None:
            k = ((rule.maximum - g.spec.minimum) / g.spec.step).to_integral_value(ROUND_FLOOR)
            high = min(high, int(k))
        return low, high

    def _segments(self, g: CompiledGroup) -> list[tuple[int, int]]:
        cuts = {0, g.grid_max + 1}
        for rule in self.spec.rules:
            if rule.kind == RANGE and rule.group == g.code:
                low, high = self._range_interval(g, rule)
                if low <= high:
                    cuts.update((low, high + 1))
        cuts = sorted(cuts)
        return [(cuts[i], cuts[i + 1] - 1) for i in range(len(cuts) - 1)]

    def _rule_clauses(self, rule) -> list[tuple[int, ...]]:
        if rule.kind in (SURCHARGE, UNIT_PRICE):
            return []
        ov = self.option_var
        cond = rule.condition
        if any(code not in ov for code in cond.all):
            return []  # an unknown or inactive option is never chosen: the condition never holds
        any_vars = [ov[c] for c in cond.any if c in ov]
        if cond.any and not any_vars:
            return []
        base = [2 * ov[c] + 1 for c in cond.all] + [2 * ov[c] for c in cond.none if c in ov]
        prefixes = [base + [2 * a + 1] for a in any_vars] or [base]
        if rule.kind == REQUIRES:
            tails = [[2 * ov[t] for t in rule.targets if t in ov]]
        elif rule.kind == EXCLUDES:
            tails = [[2 * ov[t] + 1] for t in rule.targets if t in ov]
        else:
            g = self.group_by_code[rule.group]
            low, high = self._range_interval(g, rule)
            tail = [2 * v for (a, b), v in zip(g.segments, g.value_vars) if low <= a and b <= high]
            if g.none_var is not None:
                tail.append(2 * g.none_var)
            tails = [tail]
        result = []
        for prefix in prefixes:
            for tail in tails:
                lits = set(prefix + tail)
                if not any(lit ^ 1 in lits for lit in lits):
                    result.append(tuple(sorted(lits)))
        return result

    def _default_phase(self) -> list[int]:
        phase = [0] * self.nvars
        for g in self.groups:
            if g.kind == NUMERIC:
                if g.spec.default is not None and _on_grid(g, g.spec.default):
                    phase[g.value_vars[g.segment_of(g.spec.default)]] = 1
                elif g.none_var is not None:
                    phase[g.none_var] = 1
                continue
            for o, v in zip(g.options, g.value_vars):
                phase[v] = 1 if o.is_default else 0
            if g.none_var is not None and not any(o.is_default for o in g.options):
                phase[g.none_var] = 1
        return phase


_cache: dict[tuple[str, str], CompiledFamily] = {}
_cache_lock = threading.Lock()
_CACHE_SIZE = 256


def compile_family(spec: Family) -> CompiledFamily:
    """The compiled form of ``spec``, built once and cached under (family code, version or fingerprint).

    Give the spec a ``version`` that changes with every edit to skip hashing the whole spec on each call;
    without one, the spec's fingerprint is the key. Raises ``SpecError`` for a spec that cannot compile.
    """
    key = (spec.code, spec.version if spec.version is not None else spec.fingerprint())
    compiled = _cache.get(key)
    if compiled is not None:
        return compiled
    compiled = CompiledFamily(spec, key)
    with _cache_lock:
        if len(_cache) >= _CACHE_SIZE:
            _cache.pop(next(iter(_cache)))
        _cache[key] = compiled
    return compiled


def forget_family(code: str) -> None:
    """Drop every cached compiled form of family ``code`` (call it when the family changes)."""
    with _cache_lock:
        for key in [k for k in _cache if k[0] == code]:
            del _cache[key]


def clear_cache() -> None:
    """Drop every cached compiled family."""
    with _cache_lock:
        _cache.clear()


# -- reading a selection ----------------------------------------------------------------------------------


@dataclass
class _Answer:
    status: str
    value: Any = None  # single: option code; multi: tuple of codes (catalog order); numeric: Decimal
    hint: Any = None  # for a malformed answer: what it seemed to mean (used to choose a close fix)
    raw: Any = None


def _on_grid(g: CompiledGroup, value: Decimal) -> bool:
    s = g.spec
    return s.minimum <= value <= s.maximum and (value - s.minimum) % s.step == 0


def _parse_number(raw) -> Decimal | None:
    if isinstance(raw, bool):
        return None
    try:
        value = to_decimal(raw.strip() if isinstance(raw, str) else raw)
    except (InvalidOperation, TypeError, ValueError):
        return None
    if not isinstance(value, Decimal) or not value.is_finite():
        return None
    return value


def _read(family: CompiledFamily, selection: Mapping) -> tuple[list[_Answer], list[GroupError]]:
    errors: list[GroupError] = []
    for key in selection:
        if key not in family.group_by_code:
            message = f"There is no group {key!r} in {family.spec.name}."
            errors.append(GroupError(str(key), "unknown_group", message, key))
    answers = []
    for g in family.groups:
        raw = selection.get(g.code)
        name = g.spec.name

        def fail(code, message, hint=None):
            errors.append(GroupError(g.code, code, message, raw))
            return _Answer(MALFORMED, hint=hint, raw=raw)

        if raw is None or raw == "":
            answers.append(_Answer(ABSENT))
        elif g.kind == SINGLE:
            if not isinstance(raw, str):
                answers.append(fail("wrong_type", f"{name} expects one option code."))
            else:
                answers.append(_read_code(family, g, raw, fail) or _Answer(EXACT, raw, raw=raw))
        elif g.kind == MULTI:
            answers.append(_read_multi(family, g, raw, fail))
        else:
            value = _parse_number(raw)
            s = g.spec
            if value is None:
                answers.append(fail("not_a_number", f"{name} expects a number."))
            elif not s.minimum <= value <= s.maximum:
                message = f"{name} must be between {s.minimum} and {s.maximum} {s.unit}".rstrip() + "."
                answers.append(fail("out_of_range", message, value))
            elif (value - s.minimum) % s.step:
                message = f"{name} must be {s.minimum} {s.unit} plus a multiple of {s.step} {s.unit}."
                answers.append(fail("off_step", message, value))
            else:
                answers.append(_Answer(EXACT, g.grid_value(g.grid_index(value)), raw=raw))
    return answers, errors


def _read_code(family, g, code, fail):
    option = next((o for o in g.spec.options if o.code == code), None)
    if option is None:
        return fail("unknown_option", f"{code!r} is not an option of {g.spec.name}.")
    if not option.active:
        return fail("inactive_option", f"{option.name} is no longer available.")
    return None


def _read_multi(family, g, raw, fail) -> _Answer:
    name = g.spec.name
    if isinstance(raw, (str, bytes, Mapping)) or not hasattr(raw, "__iter__"):
        return fail("wrong_type", f"{name} expects a list of option codes.")
    codes = list(raw)
    if not all(isinstance(c, str) for c in codes):
        return fail("wrong_type", f"{name} expects a list of option codes.")
    known = {c for c in codes if c in family.option_var and family.option_group[c] is g}
    picks = tuple(o.code for o in g.options if o.code in known)
    for code in dict.fromkeys(codes):
        if code not in known:
            failed = _read_code(family, g, code, fail)
            if failed is not None:
                return _Answer(MALFORMED, hint=picks, raw=raw)
    high = len(g.options) if g.spec.max_count is None else min(g.spec.max_count, len(g.options))
    if len(picks) > high:
        return fail("too_many", f"Choose at most {high} in {name}.", picks)
    if not picks:
        if g.required and g.spec.min_count > 0:
            return _Answer(ABSENT, raw=raw)
        return _Answer(EXACT, (), raw=raw)
    if len(picks) < g.spec.min_count:
        fail("too_few", f"Choose at least {g.spec.min_count} in {name}.")
        return _Answer(AT_LEAST, picks, hint=picks, raw=raw)
    return _Answer(EXACT, picks, raw=raw)


def _answer_lits(family: CompiledFamily, g: CompiledGroup, answer: _Answer) -> list[int]:
    """The literals that pin a group to its exact answer ("at least": only the choices)."""
    if g.kind == NUMERIC:
        return [2 * g.value_vars[g.segment_of(answer.value)]]
    if g.kind == SINGLE:
        return [2 * family.option_var[answer.value]]
    picks = set(answer.value)
    if answer.status == AT_LEAST:
        return [2 * family.option_var[c] for c in answer.value]
    return [2 * v + (0 if o.code in picks else 1) for o, v in zip(g.options, g.value_vars)]


def _empty_lits(g: CompiledGroup) -> list[int]:
    if g.none_var is not None:
        return [2 * g.none_var]
    return [2 * v + 1 for v in g.value_vars]


# -- rules and price --------------------------------------------------------------------------------------


def _truth(family: CompiledFamily, answers: list[_Answer]) -> list[int]:
    """Three-valued truth of every variable: 0 false, 1 unknown, 2 true."""
    tv = [1] * family.nvars
    for g, answer in zip(family.groups, answers):
        if answer.status in (EXACT, AT_LEAST):
            rest = 0 if answer.status == EXACT else 1
            for v in g.vars:
                tv[v] = rest
            for lit in _answer_lits(family, g, answer):
                tv[lit >> 1] = 2 if lit & 1 == 0 else 0
        elif not g.required:
            for v in g.value_vars:
                tv[v] = 0
            if g.none_var is not None:
                tv[g.none_var] = 2
    return tv


def _broken(family: CompiledFamily, answers: list[_Answer], tv: list[int]) -> list[BrokenRule]:
    broken = []
    clauses = family.problem.clauses
    for rule, clause_ids in zip(family.spec.rules, family.rule_clauses):
        culprits = set()
        hit = False
        for ci in clause_ids:
            if all((tv[lit >> 1] if lit & 1 == 0 else 2 - tv[lit >> 1]) == 0 for lit in clauses[ci]):
                hit = True
                culprits.update(lit >> 1 for lit in clauses[ci] if lit & 1 and lit >> 1 in family.var_option)
        if not hit:
            continue
        options = tuple(family.var_option[v].code for v in sorted(culprits))
        group = value = None
        if rule.kind == RANGE:
            g = family.group_by_code[rule.group]
            group, value = g.code, answers[g.index].value
        broken.append(BrokenRule(rule.code, rule.kind, rule.message, options, group, value))
    return broken


def _holds(condition, chosen: set) -> bool:
    return (
        all(c in chosen for c in condition.all)
        and (not condition.any or any(c in chosen for c in condition.any))
        and not any(c in chosen for c in condition.none)
    )


def _cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, ROUND_HALF_UP)


def _price(family: CompiledFamily, answers: list[_Answer]) -> tuple[Decimal, list[PriceLine]]:
    spec = family.spec
    base = _cents(spec.base_price)
    lines = [PriceLine("base", spec.code, spec.name, Decimal(1), spec.base_price, base)]
    chosen = set()
    numbers = {}
    for g, answer in zip(family.groups, answers):
        if answer.status not in (EXACT, AT_LEAST):
            continue
        if g.kind == NUMERIC:
            numbers[g.code] = answer.value
            continue
        codes = (answer.value,) if g.kind == SINGLE else answer.value
        chosen.update(codes)
        for o in g.options:
            if o.code in codes:
                lines.append(PriceLine("option", o.code, o.name, Decimal(1), o.price, _cents(o.price)))
    for rule in spec.rules:
        if rule.kind == SURCHARGE and _holds(rule.condition, chosen):
            lines.append(PriceLine("surcharge", rule.code, rule.message, Decimal(1), rule.amount, _cents(rule.amount)))
        elif rule.kind == UNIT_PRICE and rule.group in numbers and _holds(rule.condition, chosen):
            quantity = numbers[rule.group]
            amount = _cents(quantity * rule.amount)
            lines.append(PriceLine("unit_price", rule.code, rule.message, quantity, rule.amount, amount))
    return sum((line.amount for line in lines), Decimal("0.00")), lines


def _plain_number(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _variant_code(family: CompiledFamily, answers: list[_Answer]) -> str:
    parts = []
    for g, answer in sorted(zip(family.groups, answers), key=lambda pair: pair[0].code):
        if answer.status != EXACT:
            continue
        if g.kind == MULTI:
            if not answer.value:
                continue
            text = "+".join(sorted(answer.value))
        elif g.kind == NUMERIC:
            text = _plain_number(answer.value)
        else:
            text = answer.value
        parts.append(f"{g.code}={text}")
    digest = hashlib.sha256(f"{family.code}|{';'.join(parts)}".encode()).digest()
    bits = int.from_bytes(digest[:5], "big")
    chars = "".join(_CROCKFORD[(bits >> shift) & 31] for shift in range(35, -1, -5))
    return f"{family.code}-{chars[:4]}-{chars[4:]}"


def _fits(family: CompiledFamily, g: CompiledGroup, config: list[int]) -> bool:
    """Whether a full configuration (0/1 per variable) satisfies every constraint that mentions group ``g``."""
    if sum(config[v] for v in g.vars) not in family.problem.allowed_set[g.index]:
        return False
    clauses = family.problem.clauses
    return all(any(config[lit >> 1] != (lit & 1) for lit in clauses[ci]) for ci in family.group_clauses[g.index])


# -- availability -----------------------------------------------------------------------------------------


class _Availability:
    """Decides, exactly, which options and numeric segments can still be chosen (see module docstring).

    Each option is decided by a search in its group's context, but one found configuration decides many
    options at once: every option true in it is witnessed for the contexts the configuration fits. The
    contexts of the answered groups (everything but one group) share their assumptions by divide and
    conquer, so n answered groups cost O(n log n) assumption pushes rather than n².
    """

    def __init__(self, family: CompiledFamily, answers: list[_Answer]):
        self.f = family
        self.s = family.root.fork()
        self.answers = answers
        self.answered = [g for g in family.groups if answers[g.index].status in (EXACT, AT_LEAST)]
        self.unanswered = [g for g in family.groups if answers[g.index].status not in (EXACT, AT_LEAST)]
        self.lits = {g.index: _answer_lits(family, g, answers[g.index]) for g in self.answered}
        self.own = {
            g.index: [2 * family.option_var[c] for c in answers[g.index].value] for g in self.answered if g.kind == MULTI
        }
        self.base_seen: set[int] = set()
        self.context_seen = {g.index: set() for g in self.answered}
        self.blocked: dict[int, Explanation] = {}
        self.phase = list(family.default_phase)
        self.satisfiable = False
        self.found: list[tuple[list[int], set]] = []  # recent configurations and the answered groups they change

    def run(self) -> _Availability:
        s = self.s
        if s.root_conflict is not None:
            for g in self.f.groups:
                for v in g.value_vars:
                    self.blocked[v] = s.root_conflict
            return self
        start = s.mark()
        why = self._push(self.answered)
        if why is None:
            pushed = s.mark()
            why = Explanation()
            targets = [v for g in self.unanswered for v in g.value_vars]
            if s.search(self._prefer(targets, self.base_seen), why):
                self.satisfiable = True
                self._record()
                s.backtrack(pushed)
                for v in targets:
                    self._probe(v, self.base_seen, targets)
        if not self.satisfiable:
            for g in self.unanswered:
                for v in g.value_vars:
                    self.blocked[v] = why
        s.backtrack(start)
        work = [g for g in self.answered if any(v not in self.context_seen[g.index] for v in g.value_vars)]
        if work:
            rest = [g for g in self.answered if g not in work]
            why = self._push(rest)
            if why is None:
                self._contexts(work, 0, len(work))
            else:
                self._block_all(work, why)
            s.backtrack(start)
        return self

    def _push(self, groups) -> Explanation | None:
        for g in groups:
            why = self.s.assume(self.lits[g.index])
            if why is not None:
                return why
        return None

    def _block_all(self, groups, why: Explanation) -> None:
        for g in groups:
            for v in g.value_vars:
                if v not in self.context_seen[g.index]:
                    self.blocked[v] = why

    def _contexts(self, work, low, high) -> None:
        if high - low == 1:
            self._context(work[low])
            return
        mid = (low + high) // 2
        for (a, b), (c, d) in (((low, mid), (mid, high)), ((mid, high), (low, mid))):
            mark = self.s.mark()
            why = self._push(work[c:d])
            if why is None:
                self._contexts(work, a, b)
            else:
                self._block_all(work[a:b], why)
            self.s.backtrack(mark)

    def _context(self, g: CompiledGroup) -> None:
        s = self.s
        mark = s.mark()
        why = s.assume(self.own.get(g.index, ()))
        if why is not None:
            self._block_all([g], why)
        else:
            for v in g.value_vars:
                self._probe(v, self.context_seen[g.index], g.value_vars)
        s.backtrack(mark)

    def _prefer(self, targets, seen) -> list[int]:
        # steer towards options no configuration found so far contains, so each search decides many
        prefer = list(self.phase)
        for v in targets:
            prefer[v] = 0 if v in seen else 1
        return prefer

    def _probe(self, v: int, seen: set, targets) -> None:
        if v in seen:
            return
        s = self.s
        x = s.val[v]
        if x == 0:
            self.blocked[v] = s.explain_var(v)
            return
        if self._flip(v):
            seen.add(v)
            return
        mark = s.mark()
        if x < 0:
            why = s.assume((2 * v,))
        else:
            # already implied: treat it as assumed, so explanations stop at it instead of naming its causes
            why, reason, assumed = None, s.reason[v], s.assumed[v]
            s.reason[v], s.assumed[v] = None, True
        if why is None:
            why = Explanation()
            if s.search(self._prefer(targets, seen), why):
                self._record()
                why = None
        s.backtrack(mark)
        if x == 1:
            s.reason[v], s.assumed[v] = reason, assumed
        if why is not None:
            self.blocked[v] = why

    def _flip(self, v: int) -> bool:
        """Whether a configuration found earlier, with only ``v``'s group changed to take ``v``, is valid.

        Most options are decided this way, by checking the rules of one group instead of searching.
        """
        g = self.f.groups[self.f.problem.var_group[v]]
        vs = g.vars
        for config, off in reversed(self.found):
            if off and off != {g.index}:
                continue
            saved = [config[w] for w in vs]
            if g.kind != MULTI:
                for w in vs:
                    config[w] = 0
            config[v] = 1
            fits = _fits(self.f, g, config)
            for w, x in zip(vs, saved):
                config[w] = x
            if fits:
                return True
        return False

    def _record(self) -> None:
        """Credit the full configuration now on the trail to every context it fits."""
        val = self.s.val
        self.phase = config = val[:]
        off = [g for g in self.answered if any(val[lit >> 1] == (lit & 1) for lit in self.lits[g.index])]
        if not off:
            for g in self.f.groups:
                true = [v for v in g.value_vars if val[v] == 1]
                self.base_seen.update(true)
                if g.index in self.context_seen:
                    self.context_seen[g.index].update(true)
        elif len(off) == 1 and all(val[lit >> 1] == 1 for lit in self.own.get(off[0].index, ())):
            g = off[0]
            self.context_seen[g.index].update(v for v in g.value_vars if val[v] == 1)
        else:
            return
        self.found.append((config, {g.index for g in off}))
        del self.found[:-_FLIP_POOL]


# -- the fix ----------------------------------------------------------------------------------------------


def _hitting_set(cores: list[frozenset], weight) -> set:
    """A lightest set meeting every core (branch and bound; cores are few and small in practice)."""
    best: list = [None, None]

    def lower_bound(unhit):
        total, used = 0, set()
        for core in sorted(unhit, key=len):
            if not core & used:
                total += min(weight(e) for e in core)
                used |= core
        return total

    def grow(chosen: set, cost):
        unhit = [c for c in cores if not c & chosen]
        if not unhit:
            if best[0] is None or cost < best[1]:
                best[0], best[1] = set(chosen), cost
            return
        if best[0] is not None and cost + lower_bound(unhit) >= best[1]:
            return
        for element in sorted(min(unhit, key=len)):
            chosen.add(element)
            grow(chosen, cost + weight(element))
            chosen.discard(element)

    grow(set(), 0)
    return best[0]


class _Fixer:
    """Finds the fix as a minimum-cost hitting set of conflicts (implicit hitting set MaxSAT).

    Each group whose answer should stay (an exact answer; an absent optional group staying empty) is a soft
    assumption. A failed search yields a core: a set of such groups that cannot all stay. The smallest set
    of groups meeting every core found so far is released and the rest assumed again, until a full
    configuration exists; it changes as few groups as possible, since every core needs a change.
    """

    def __init__(self, family: CompiledFamily, answers: list[_Answer]):
        self.f = family
        self.answers = answers
        self.soft = {}
        for g, answer in zip(family.groups, answers):
            if answer.status == EXACT:
                self.soft[g.index] = _answer_lits(family, g, answer)
            elif answer.status == ABSENT and not g.required:
                self.soft[g.index] = _empty_lits(g)
        self.hard: list[int] = []  # literals every answer must keep (what ``choose`` insists on)

    def run(self) -> Fix | None:
        f = self.f
        s = f.root.fork()
        if s.root_conflict is not None:
            return None
        prefer = self._prefer()
        cores: list[frozenset] = []
        while True:
            if len(cores) > _FIX_CORES:
                config = self._by_cp_sat()
                break
            released = _hitting_set(cores, self._weight)
            mark = s.mark()
            why = s.assume(self.hard) if self.hard else None
            for gi, lits in self.soft.items():
                if why is not None:
                    break
                if gi not in released:
                    why = s.assume(lits)
                    if why is not None:
                        break
            if why is None:
                why = Explanation()
                if s.search(prefer, why):
                    config = s.val[:]
                    break
            s.backtrack(mark)
            core = frozenset(f.problem.var_group[v] for v in why.roots) & self.soft.keys()
            if not core:
                return None
            cores.append(core)
        return None if config is None else self._describe(config)

    def _weight(self, gi: int) -> int:
        # fewest groups first; among as few, keep the given answers and fill empty optional groups instead
        return 1000 + (self.answers[gi].status == EXACT)

    def _by_cp_sat(self) -> list[int] | None:
        """The same optimum from CP-SAT, for selections so far off that conflicts keep coming."""
        from ortools.sat.python import cp_model

        model = self.f.cp_model().clone()
        x = [model.get_bool_var_from_proto_index(v) for v in range(self.f.nvars)]
        for lit in self.hard:
            model.Add(x[lit >> 1] == (1 - (lit & 1)))
        cost = []
        for gi, lits in self.soft.items():
            keep = model.NewBoolVar(f"keep{gi}")
            for lit in lits:
                model.AddImplication(keep, x[lit >> 1] if lit & 1 == 0 else x[lit >> 1].Not())
            cost.append(self._weight(gi) * (1 - keep))
        model.Minimize(sum(cost))
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.max_time_in_seconds = _FIX_SECONDS
        if solver.Solve(model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None
        return [int(solver.BooleanValue(v)) for v in x]

    def _prefer(self) -> list[int]:
        prefer = list(self.f.default_phase)
        for g, answer in zip(self.f.groups, self.answers):
            hint = answer.value if answer.status in (EXACT, AT_LEAST) else answer.hint
            if hint is None:
                continue
            if g.kind == NUMERIC:
                value = _nearest_on_grid(g, hint)
                for v in g.vars:
                    prefer[v] = 0
                prefer[g.value_vars[g.segment_of(value)]] = 1
            else:
                codes = (hint,) if isinstance(hint, str) else hint
                for o, v in zip(g.options, g.value_vars):
                    prefer[v] = 1 if o.code in codes else 0
        return prefer

    def _current(self, g: CompiledGroup, config: list[int]):
        """Group ``g``'s answer in the full configuration ``config``."""
        if g.kind == NUMERIC:
            for i, v in enumerate(g.value_vars):
                if config[v]:
                    return i
            return None
        if g.kind == SINGLE:
            return next((o.code for o, v in zip(g.options, g.value_vars) if config[v]), None)
        return tuple(o.code for o, v in zip(g.options, g.value_vars) if config[v])

    def _set(self, g: CompiledGroup, config: list[int], answer) -> None:
        for v in g.vars:
            config[v] = 0
        if g.kind == NUMERIC:
            if answer is None:
                config[g.none_var] = 1
            else:
                config[g.value_vars[answer]] = 1
        elif g.kind == SINGLE:
            if answer is None:
                config[g.none_var] = 1
            else:
                config[self.f.option_var[answer]] = 1
        else:
            for code in answer:
                config[self.f.option_var[code]] = 1

    def _try(self, g, config, answer) -> bool:
        before = self._current(g, config)
        self._set(g, config, answer)
        if _fits(self.f, g, config):
            return True
        self._set(g, config, before)
        return False

    def _closest(self, g: CompiledGroup, config: list[int], answer: _Answer) -> None:
        """Move a changed group's answer as close to the previous one as the rest of ``config`` allows."""
        hint = answer.value if answer.status in (EXACT, AT_LEAST) else answer.hint
        if g.kind == SINGLE:
            defaults = [o.code for o in g.options if o.is_default]
            for code in [hint] + defaults + [o.code for o in g.options]:
                if code in self.f.option_var and self.f.option_group[code] is g and self._try(g, config, code):
                    return
        elif g.kind == MULTI:
            wanted = set(hint or ())
            improved = True
            while improved:
                improved = False
                current = self._current(g, config)
                for o in g.options:
                    if o.code in wanted and o.code not in current:
                        change = tuple(c.code for c in g.options if c.code in current or c is o)
                    elif o.code not in wanted and o.code in current:
                        change = tuple(c for c in current if c != o.code)
                    else:
                        continue
                    if self._try(g, config, change):
                        improved = True
                        break
        else:
            fallback = g.spec.default if g.spec.default is not None else g.spec.minimum
            target = _nearest_on_grid(g, hint if hint is not None else fallback)
            fitting = [i for i in range(len(g.segments)) if self._try(g, config, i)]
            if fitting:
                best = min(fitting, key=lambda i: (abs(_clamp(g, target, i) - target), i))
                self._set(g, config, best)
                return _clamp(g, target, best)
        return None

    def _describe(self, config: list[int]) -> Fix:
        f = self.f
        selection: dict = {}
        changes = []
        for g, answer in zip(f.groups, self.answers):
            now = self._current(g, config)
            if answer.status == EXACT:
                before = g.segment_of(answer.value) if g.kind == NUMERIC else answer.value
                changed = now != before
            elif answer.status == ABSENT:
                changed = not g.required and now not in (None, ())
            else:
                changed = True
            if not changed:
                if answer.status == EXACT:
                    selection[g.code] = list(answer.value) if g.kind == MULTI else answer.value
                continue
            number = self._closest(g, config, answer)
            now = self._current(g, config)
            if g.kind == NUMERIC:
                after = None if now is None else number
            elif g.kind == MULTI:
                after = list(now)
            else:
                after = now
            if after not in (None, []) or (g.kind == MULTI and g.required):
                selection[g.code] = after
            if answer.status == EXACT and (set(after) == set(answer.value) if g.kind == MULTI else after == answer.value):
                continue  # moved back to where it was: no change
            changes.append(self._change(g, answer, after))
        return Fix(selection, tuple(changes))

    def _change(self, g: CompiledGroup, answer: _Answer, after) -> Change:
        f = self.f
        before = answer.value if answer.status in (EXACT, AT_LEAST) else answer.raw
        if isinstance(before, tuple):
            before = list(before)

        def name(code):
            if isinstance(code, str) and code in f.option_var:
                return f.var_option[f.option_var[code]].name
            return repr(code)

        if g.kind == MULTI:
            old = set(answer.value or ()) if answer.status in (EXACT, AT_LEAST) else set()
            added = tuple(c for c in after if c not in old)
            removed = tuple(o.code for o in g.spec.options if o.code in old and o.code not in after)
            parts = []
            if added:
                parts.append("add " + ", ".join(name(c) for c in added))
            if removed:
                parts.append("remove " + ", ".join(name(c) for c in removed))
            if answer.status == MALFORMED:
                parts.insert(0, "replace the invalid answer")
            return Change(g.code, before, after, added, removed, f"{g.spec.name}: {'; '.join(parts) or 'choose none'}")
        if g.kind == NUMERIC:
            unit = f" {g.spec.unit}" if g.spec.unit else ""
            old = "none" if before is None else f"{before}{unit}"
            new = "none" if after is None else f"{_plain_number(after)}{unit}"
            return Change(g.code, before, after, (), (), f"{g.spec.name}: {old} → {new}")
        old_code = answer.value if answer.status == EXACT else None
        added = () if after is None else (after,)
        removed = () if old_code is None else (old_code,)
        old = "none" if before is None else name(before)
        new = "none" if after is None else name(after)
        return Change(g.code, before, after, added, removed, f"{g.spec.name}: {old} → {new}")


def _nearest_on_grid(g: CompiledGroup, value: Decimal) -> Decimal:
    s = g.spec
    value = min(max(value, s.minimum), s.maximum)
    k = ((value - s.minimum) / s.step).to_integral_value(ROUND_HALF_UP)
    return g.grid_value(min(int(k), g.grid_max))


def _clamp(g: CompiledGroup, value: Decimal, segment: int) -> Decimal:
    low, high = g.segments[segment]
    k = min(max(g.grid_index(value), low), high)
    return g.grid_value(k)


# -- evaluate ---------------------------------------------------------------------------------------------


def _blockers(family: CompiledFamily, answers: list[_Answer], g: CompiledGroup, v: int, why: Explanation):
    """The current choices behind an explanation of why ``v`` (of group ``g``) cannot be chosen."""
    var_group = family.problem.var_group
    found = set()
    for r in why.roots:
        if r == v:
            continue
        rg = var_group[r]
        if rg != g.index:
            found.add((rg, None))
        elif r in family.var_option:
            found.add((rg, family.var_option[r].code))
    choices = []
    for rg, code in sorted(found, key=lambda item: (item[0], item[1] or "")):
        group = family.groups[rg]
        answer = answers[rg]
        if code is not None:
            choices.append(Choice(group.code, code))
        elif group.kind == NUMERIC:
            choices.append(Choice(group.code, value=answer.value))
        elif group.kind == SINGLE:
            choices.append(Choice(group.code, answer.value))
        else:
            choices.extend([Choice(group.code, c) for c in answer.value] or [Choice(group.code)])
    return tuple(choices)


def _why(family: CompiledFamily, why: Explanation) -> tuple[tuple[str, ...], tuple[str, ...]]:
    rules = [family.spec.rules[i] for i in sorted(why.rules)]
    return tuple(r.code for r in rules), tuple(r.message for r in rules)


def _numeric_state(family, answers, g: CompiledGroup, blocked: dict) -> NumericState:
    s = g.spec
    allowed, refused = [], []  # runs of grid indices: (low, high) and (low, high, rules, messages, blockers)
    for (low, high), v in zip(g.segments, g.value_vars):
        why = blocked.get(v)
        if why is None:
            if allowed and allowed[-1][1] == low - 1:
                allowed[-1] = (allowed[-1][0], high)
            else:
                allowed.append((low, high))
            continue
        reason = (*_why(family, why), _blockers(family, answers, g, v, why))
        if refused and refused[-1][1] == low - 1 and refused[-1][2:] == reason:
            refused[-1] = (refused[-1][0], high, *reason)
        else:
            refused.append((low, high, *reason))
    answer = answers[g.index]
    return NumericState(
        g.code,
        answer.value if answer.status == EXACT else None,
        s.minimum,
        g.grid_value(g.grid_max),
        s.step,
        s.unit,
        tuple(ValueRange(g.grid_value(a), g.grid_value(b), s.step) for a, b in allowed),
        tuple(BlockedRange(g.grid_value(a), g.grid_value(b), *reason) for a, b, *reason in refused),
    )


def evaluate(family: CompiledFamily, selection: Mapping | None) -> Evaluation:
    """Validate, explain and price ``selection`` (a partial or full selection) for a compiled family.

    See the module docstring for the exact meaning of every field of the returned ``Evaluation``:
    ``complete``, ``valid``, ``satisfiable``, ``missing`` (required groups without an exact answer),
    ``errors`` (malformed answers), ``broken`` (violated rules with their messages), ``options`` (every
    active option, keyed by code in catalog order, with its availability and what blocks it), ``numeric``
    (every numeric group with the values still reachable), ``price`` and ``price_lines``, ``selection``
    (the accepted answers, normalised), ``variant_code`` and ``fix``.
    """
    answers, errors = _read(family, selection or {})
    tv = _truth(family, answers)
    broken = _broken(family, answers, tv)
    missing = tuple(g.code for g, a in zip(family.groups, answers) if g.required and a.status != EXACT)
    valid = not missing and not errors and not broken
    price, lines = _price(family, answers)
    availability = _Availability(family, answers).run()
    blocked = availability.blocked
    options = {}
    numeric = {}
    accepted = {}
    for g, answer in zip(family.groups, answers):
        if answer.status in (EXACT, AT_LEAST):
            accepted[g.code] = list(answer.value) if g.kind == MULTI else answer.value
        if g.kind == NUMERIC:
            numeric[g.code] = _numeric_state(family, answers, g, blocked)
            continue
        chosen_codes = ()
        if answer.status in (EXACT, AT_LEAST):
            chosen_codes = (answer.value,) if g.kind == SINGLE else answer.value
        for o, v in zip(g.options, g.value_vars):
            why = blocked.get(v)
            if why is None:
                options[o.code] = OptionState(g.code, o.code, o.name, o.price, o.layer, o.code in chosen_codes, True)
            else:
                rules, messages = _why(family, why)
                blockers = _blockers(family, answers, g, v, why)
                chosen = o.code in chosen_codes
                options[o.code] = OptionState(g.code, o.code, o.name, o.price, o.layer, chosen, False, rules, messages, blockers)
    fix = None
    if errors or broken or not availability.satisfiable:
        fix = _Fixer(family, answers).run()
    return Evaluation(
        family=family.code,
        complete=not missing,
        valid=valid,
        satisfiable=availability.satisfiable,
        missing=missing,
        errors=tuple(errors),
        broken=tuple(broken),
        options=options,
        numeric=numeric,
        price=price,
        currency=family.spec.currency,
        price_lines=tuple(lines),
        selection=accepted,
        variant_code=_variant_code(family, answers) if valid else None,
        fix=fix,
    )


def check(family: CompiledFamily, selection: Mapping | None) -> LineCheck:
    """The part of ``evaluate`` that placing an order needs: validity (missing groups, malformed answers,
    broken rules), the price, the accepted selection and the variant code, with the same meaning. It
    skips what only a consumer still choosing needs (every option's availability, the smallest fix), so
    it costs a fraction of ``evaluate``."""
    answers, errors = _read(family, selection or {})
    tv = _truth(family, answers)
    broken = _broken(family, answers, tv)
    missing = tuple(g.code for g, a in zip(family.groups, answers) if g.required and a.status != EXACT)
    valid = not missing and not errors and not broken
    price, lines = _price(family, answers)
    accepted = {}
    for g, answer in zip(family.groups, answers):
        if answer.status in (EXACT, AT_LEAST):
            accepted[g.code] = list(answer.value) if g.kind == MULTI else answer.value
    return LineCheck(
        valid=valid,
        missing=missing,
        errors=tuple(errors),
        broken=tuple(broken),
        price=price,
        price_lines=tuple(lines),
        selection=accepted,
        variant_code=_variant_code(family, answers) if valid else None,
        option_groups={o.code: g.code for g in family.groups for o in g.options},
    )


def default_selection(family: CompiledFamily) -> dict:
    """The catalog's defaults as a selection: default options, and numeric defaults."""
    selection = {}
    for g in family.groups:
        if g.kind == NUMERIC:
            if g.spec.default is not None:
                selection[g.code] = g.spec.default
        else:
            defaults = [o.code for o in g.options if o.is_default]
            if g.kind == MULTI:
                if defaults:
                    selection[g.code] = defaults
            elif defaults:
                selection[g.code] = defaults[0]
    return selection


def check_family(spec: Family) -> list[FamilyProblem]:
    """Everything wrong with a family spec, for the catalog editor.

    Errors (the spec cannot compile): duplicate codes, bad kinds, numeric groups without bounds, rules
    naming a non-numeric group or lacking an amount. Warnings: rules naming unknown or inactive options,
    options that no valid configuration can contain, a rule set that admits no valid configuration at all,
    numeric values no valid configuration can take, and defaults that do not form a satisfiable selection.
    """
    problems = _structural_problems(spec)
    if problems:
        return problems

    def warn(code, message, subject):
        problems.append(FamilyProblem("warning", code, message, subject))

    options = {o.code: o for g in spec.groups for o in g.options}
    for rule in spec.rules:
        for code in dict.fromkeys(rule.condition.codes() + rule.targets):
            if code not in options:
                warn("unknown_option", f"Rule {rule.code} names unknown option {code}.", rule.code)
            elif not options[code].active:
                warn("inactive_option", f"Rule {rule.code} names inactive option {code}.", rule.code)
    family = CompiledFamily(spec, (spec.code, "check"))
    empty = evaluate(family, {})
    if not empty.satisfiable:
        warn("unsatisfiable", f"No configuration of {spec.name} satisfies all rules.", spec.code)
        return problems
    for state in empty.options.values():
        if not state.available:
            warn("never_chosen", f"Option {state.code} can never be chosen ({', '.join(state.rules)}).", state.code)
    for state in empty.numeric.values():
        for blocked in state.blocked:
            values = f"{blocked.minimum}–{blocked.maximum}"
            warn("never_reached", f"{state.group} can never be {values} ({', '.join(blocked.rules)}).", state.group)
    defaults = evaluate(family, default_selection(family))
    if defaults.errors or not defaults.satisfiable:
        warn("bad_defaults", f"The defaults of {spec.name} do not form a valid start.", spec.code)
    return problems
