"""Choosing an option with no dead ends: keep it, and change the fewest other answers needed.

``choose(family, selection, option, chosen=…)`` answers with the configuration that contains ``option``
(an option code; or, with ``value``, a numeric group's code and the number) and changes as few other
groups as possible. Among the selections with that many changes it changes the defaults (answers the
consumer never gave) before the consumer's own choices, and among those their older choices before newer
ones: ``chosen`` lists the groups the consumer answered, oldest first; every other answered group counts
as a default. Exactly, the changed groups minimise, in this order:

1. how many groups change (a given answer replaced, an absent optional group filled);
2. how many of them are the consumer's choices;
3. the newest of the consumer's choices changed, then the next newest, and so on (older first).

The new answer of each changed group is the closest the rest allows (as for the engine's fix). Absent
required groups stay absent; malformed answers are replaced. ``option_statuses`` gives, for every option
of a selection, whether it fits as things stand, fits with changes (and which), or is impossible (and
why): an option is impossible only when no valid configuration at all contains it, so defaults and
earlier choices never block.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Mapping, Sequence

from .engine import (
    EXACT,
    AT_LEAST,
    CompiledFamily,
    _Answer,
    _Fixer,
    _on_grid,
    _parse_number,
    _read,
    evaluate,
)
from .result import Change, Evaluation, jsonable
from .spec import MULTI, NUMERIC, SINGLE

FITS, FITS_WITH_CHANGES, IMPOSSIBLE = "fits", "fits_with_changes", "impossible"


@dataclass(frozen=True)
class Chosen:
    """The answer to ``choose``: ``status`` is ``fits``, ``fits_with_changes`` or ``impossible``.

    ``selection`` is the whole new selection (``None`` when impossible), ``changes`` the other groups it
    changes (and the chosen group itself when some of its other ticks had to go), ``chosen`` the consumer's choices after it (oldest first; the changed groups leave it, the
    chosen group comes last), and for an impossible choice ``rules`` and ``messages`` say why.
    """

    group: str
    option: str | None
    value: Decimal | None
    status: str
    selection: dict | None
    changes: tuple[Change, ...] = ()
    chosen: tuple[str, ...] = ()
    rules: tuple[str, ...] = ()
    messages: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        return jsonable(
            {
                "group": self.group,
                "option": self.option,
                "value": self.value,
                "status": self.status,
                "selection": self.selection,
                "changes": [c.__dict__ for c in self.changes],
                "chosen": list(self.chosen),
                "rules": list(self.rules),
                "messages": list(self.messages),
            }
        )


class _Chooser(_Fixer):
    """The fix's implicit hitting set, with the chosen option as a hard assumption and weights that put
    the count of changes first, then the consumer's choices, then the newest of them."""

    def __init__(self, family: CompiledFamily, answers: list[_Answer], target: int, hard: list[int], ranks: dict):
        super().__init__(family, answers)
        self.soft.pop(target, None)
        self.hard = hard
        self.ranks = ranks
        n = len(family.groups)
        self.consumer_weight = 1 << n  # more than all rank bits together
        self.change_weight = (n + 1) * (self.consumer_weight << 1)  # more than any set of consumer weights

    def _weight(self, gi: int) -> int:
        rank = self.ranks.get(gi)
        return self.change_weight + (0 if rank is None else self.consumer_weight + (1 << rank))


class ChooseError(ValueError):
    """``option`` is no option of the family, or ``value`` is no value of the numeric group."""


def _target(family: CompiledFamily, answers: list[_Answer], option: str, value) -> tuple:
    """The chosen group, its new answer and the literals that insist on the choice."""
    if value is not None:
        g = family.group_by_code.get(option)
        if g is None or g.kind != NUMERIC:
            raise ChooseError(f"There is no numeric group {option!r}.")
        number = _parse_number(value)
        if number is None or not _on_grid(g, number):
            raise ChooseError(f"{g.spec.name} cannot be {value}.")
        number = g.grid_value(g.grid_index(number))
        return g, _Answer(EXACT, number, raw=value), [2 * g.value_vars[g.segment_of(number)]]
    g = family.option_group.get(option)
    if g is None or option not in family.option_var:
        raise ChooseError(f"There is no option {option!r}.")
    if g.kind == SINGLE:
        return g, _Answer(EXACT, option, raw=option), [2 * family.option_var[option]]
    before = answers[g.index]
    kept = set(before.value or ()) if before.status in (EXACT, AT_LEAST) else set()
    picks = tuple(o.code for o in g.options if o.code in kept or o.code == option)
    return g, _Answer(EXACT, picks, raw=list(picks)), [2 * family.option_var[option]]


def choose(
    family: CompiledFamily, selection: Mapping | None, option: str, chosen: Sequence[str] = (), *, value=None
) -> Chosen:
    """The selection that contains ``option`` (or ``option`` = ``value`` for a numeric group) and changes
    the fewest other answers, by the order in the module docstring. Raises ``ChooseError`` for an
    unknown option or a number off its group's grid."""
    answers, _errors = _read(family, selection or {})
    g, answer, hard = _target(family, answers, option, value)
    ranks = {}
    for code in chosen:
        group = family.group_by_code.get(code)
        if group is not None and group is not g and answers[group.index].status == EXACT:
            ranks.pop(group.index, None)
            ranks[group.index] = None
    ranks = {gi: rank for rank, gi in enumerate(ranks)}
    answers = list(answers)
    answers[g.index] = answer
    fix = _Chooser(family, answers, g.index, hard, ranks).run()
    code = None if value is not None else option
    number = answer.value if value is not None else None
    if fix is None:
        rules, messages = _impossible_reason(family, g, option, value)
        return Chosen(g.code, code, number, IMPOSSIBLE, None, rules=rules, messages=messages)
    # the changes: other groups, and a multi group's own ticks that could not stay beside the new one
    changed = {c.group for c in fix.changes}
    kept = tuple(c for c in dict.fromkeys(chosen) if c != g.code and c not in changed and c in family.group_by_code)
    status = FITS_WITH_CHANGES if fix.changes else FITS
    return Chosen(g.code, code, number, status, fix.selection, fix.changes, kept + (g.code,))


def _impossible_reason(family: CompiledFamily, g, option: str, value) -> tuple[tuple, tuple]:
    """The rules that keep ``option`` out of every valid configuration (read from an empty selection)."""
    empty = evaluate(family, {})
    if value is None:
        state = empty.options.get(option)
        if state is not None and state.rules:
            return state.rules, state.messages
    else:
        for blocked in empty.numeric[g.code].blocked:
            if blocked.rules:
                return blocked.rules, blocked.messages
    if not empty.satisfiable:
        return (), ("No configuration satisfies every rule.",)
    return (), ()


@dataclass(frozen=True)
class OptionStatus:
    """How one option stands: ``fits``, ``fits_with_changes`` (``changes`` lists them) or ``impossible``
    (``messages`` say why)."""

    group: str
    code: str
    status: str
    changes: tuple[Change, ...] = ()
    rules: tuple[str, ...] = ()
    messages: tuple[str, ...] = ()


def option_statuses(
    family: CompiledFamily, selection: Mapping | None, chosen: Sequence[str] = (), evaluation: Evaluation | None = None
) -> dict[str, OptionStatus]:
    """Every active option's status for ``selection``. An option the evaluation offers fits as things
    stand; any other is chosen to see what it would change (or whether nothing can make it fit)."""
    evaluation = evaluation or evaluate(family, selection)
    statuses = {}
    for code, state in evaluation.options.items():
        if state.available:
            statuses[code] = OptionStatus(state.group, code, FITS)
            continue
        group = family.group_by_code[state.group]
        if group.kind == MULTI and state.chosen:
            # an option already ticked that cannot stay: it is the selection's conflict, not a choice to make
            statuses[code] = OptionStatus(state.group, code, FITS_WITH_CHANGES, rules=state.rules, messages=state.messages)
            continue
        result = choose(family, selection, code, chosen)
        statuses[code] = OptionStatus(state.group, code, result.status, result.changes, result.rules, result.messages)
    return statuses
