"""What the configurator engine answers: plain frozen dataclasses, JSON-ready through ``as_dict``.

Texts meant for a person are either the rule's own ``message`` (returned as written in the catalog; the
caller translates it) or a short English ``message``/``description`` next to a stable ``code`` or structured
fields, from which a portal can build its own translated sentence.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class Choice:
    """One thing the consumer chose: an option of a single/multi group, or the value of a numeric group.

    ``option`` and ``value`` are both ``None`` when the group's answer is "nothing" (an empty optional group).
    """

    group: str
    option: str | None = None
    value: Decimal | None = None


@dataclass(frozen=True)
class GroupError:
    """Malformed input for one group (what an API answers with a 400).

    ``code`` is one of: ``unknown_group``, ``unknown_option``, ``inactive_option``, ``wrong_type``,
    ``too_many``, ``too_few``, ``not_a_number``, ``out_of_range``, ``off_step``.
    """

    group: str
    code: str
    message: str
    value: Any = None


@dataclass(frozen=True)
class BrokenRule:
    """A rule that the answers given so far violate; ``options`` are the chosen options that break it
    (those that make its condition hold and, for "excludes", the excluded ones that are chosen); for a
    "range" rule ``group`` and ``value`` name the numeric answer outside the range."""

    code: str
    kind: str
    message: str
    options: tuple[str, ...] = ()
    group: str | None = None
    value: Decimal | None = None


@dataclass(frozen=True)
class OptionState:
    """One option as the consumer should see it now.

    ``available`` is exact (see ``engine.evaluate``). When it is ``False``, ``rules`` (codes) and
    ``messages`` say which rules block it and ``blocked_by`` which current choices do; both may be empty
    for an option that no configuration at all allows (then ``rules`` still names the rules), and
    ``rules`` is empty when only the group's own limit blocks it (single choice, ``max_count``).
    """

    group: str
    code: str
    name: str
    price: Decimal
    layer: str
    chosen: bool
    available: bool
    rules: tuple[str, ...] = ()
    messages: tuple[str, ...] = ()
    blocked_by: tuple[Choice, ...] = ()


@dataclass(frozen=True)
class ValueRange:
    """The grid values ``minimum, minimum + step, …, maximum`` of a numeric group."""

    minimum: Decimal
    maximum: Decimal
    step: Decimal


@dataclass(frozen=True)
class BlockedRange:
    """Grid values of a numeric group that cannot be chosen now, with the rules and choices that block them."""

    minimum: Decimal
    maximum: Decimal
    rules: tuple[str, ...] = ()
    messages: tuple[str, ...] = ()
    blocked_by: tuple[Choice, ...] = ()


@dataclass(frozen=True)
class NumericState:
    """A numeric group: its bounds, its current value and the values still reachable (``allowed``)."""

    group: str
    value: Decimal | None
    minimum: Decimal
    maximum: Decimal
    step: Decimal
    unit: str
    allowed: tuple[ValueRange, ...]
    blocked: tuple[BlockedRange, ...]


@dataclass(frozen=True)
class PriceLine:
    """One line of the price: ``kind`` is ``base``, ``option``, ``surcharge`` or ``unit_price``.

    ``code`` is the family, option or rule code; ``amount = quantity × unit_amount`` rounded to cents.
    """

    kind: str
    code: str
    label: str
    quantity: Decimal
    unit_amount: Decimal
    amount: Decimal


@dataclass(frozen=True)
class Change:
    """One group changed by a fix: its answer ``before`` and ``after`` (an option code, a list of codes,
    a number or ``None``), the options ``added`` and ``removed``, and an English ``description``."""

    group: str
    before: Any
    after: Any
    added: tuple[str, ...]
    removed: tuple[str, ...]
    description: str


@dataclass(frozen=True)
class Fix:
    """The smallest change that makes a selection consistent: ``selection`` is the whole new selection."""

    selection: dict
    changes: tuple[Change, ...]


@dataclass(frozen=True)
class Evaluation:
    """The engine's whole answer for one selection; see ``engine.evaluate`` for the meaning of each field."""

    family: str
    complete: bool
    valid: bool
    satisfiable: bool
    missing: tuple[str, ...]
    errors: tuple[GroupError, ...]
    broken: tuple[BrokenRule, ...]
    options: dict[str, OptionState]
    numeric: dict[str, NumericState]
    price: Decimal
    currency: str
    price_lines: tuple[PriceLine, ...]
    selection: dict
    variant_code: str | None
    fix: Fix | None

    def as_dict(self) -> dict:
        """The evaluation as JSON-ready data (Decimals as strings)."""
        return jsonable(dataclasses.asdict(self))


@dataclass(frozen=True)
class LineCheck:
    """What placing an order needs to know of a selection (``engine.check``): the fields of ``Evaluation``
    of the same names, without the availability of every option and without a fix."""

    valid: bool
    missing: tuple[str, ...]
    errors: tuple[GroupError, ...]
    broken: tuple[BrokenRule, ...]
    price: Decimal
    price_lines: tuple[PriceLine, ...]
    selection: dict
    variant_code: str | None
    option_groups: dict[str, str]  # option code → its group's code, for naming the field of a broken rule

    def selection_json(self) -> dict:
        return jsonable(self.selection)

    def price_lines_json(self) -> list:
        # Field by field: `dataclasses.asdict` deep-copies every value first, a share of each order POST.
        return [{name: jsonable(getattr(line, name)) for name in _PRICE_LINE_FIELDS} for line in self.price_lines]


_PRICE_LINE_FIELDS = tuple(field.name for field in dataclasses.fields(PriceLine))


def jsonable(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {key: jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(item) for item in value]
    return value
