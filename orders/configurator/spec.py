"""The family spec: the plain data a product family is configured from.

A spec is a tree of frozen dataclasses with the same field names as the catalog tables, so that the
database layer maps rows one to one:

- ``Family``: ``code``, ``name``, ``base_price``, ``currency``, ``groups``, ``rules`` and an optional
  ``version`` (any string that changes whenever the family changes, e.g. an edit counter or a timestamp;
  it keys the compile cache, see ``engine.compile_family``).
- ``Group``: ``code``, ``name``, ``kind`` ("single", "multi" or "numeric"), ``required``; for "multi"
  ``min_count`` and ``max_count`` (``None`` = as many as there are options); for "numeric" ``minimum``,
  ``maximum``, ``step``, ``unit`` and ``default``; for "single" and "multi" the ``options``.
- ``Option``: ``code`` (unique within the family), ``name``, ``price`` (a delta), ``is_default``,
  ``active`` and ``layer`` (an optional hint for the product picture, e.g. a colour or a keyword).
- ``Rule``: ``code``, ``kind`` ("requires", "excludes", "range", "surcharge", "unit_price"),
  ``condition`` (a ``Condition``: all of / any of / none of some option codes; empty = always), ``targets``
  (option codes), ``group``, ``minimum``, ``maximum`` (for "range"), ``amount`` (for "surcharge" and,
  per unit, for "unit_price"), and ``message``, the text shown to the consumer.

Numbers may be given as ``Decimal``, ``int`` or ``str``; they are stored as ``Decimal``. Sequences are
stored as tuples. ``Family.from_dict`` and ``Family.to_dict`` convert to and from JSON-friendly dicts.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Mapping

SINGLE, MULTI, NUMERIC = "single", "multi", "numeric"
GROUP_KINDS = (SINGLE, MULTI, NUMERIC)
REQUIRES, EXCLUDES, RANGE, SURCHARGE, UNIT_PRICE = "requires", "excludes", "range", "surcharge", "unit_price"
RULE_KINDS = (REQUIRES, EXCLUDES, RANGE, SURCHARGE, UNIT_PRICE)


def to_decimal(value: Any) -> Decimal | None:
    """A number of the spec as a Decimal (floats go through their shortest text, never binary)."""
    if value is None or isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise TypeError("a number is expected, not a boolean")
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value)


def _set(obj: Any, name: str, value: Any) -> None:
    object.__setattr__(obj, name, value)


@dataclass(frozen=True)
class Option:
    """One choice of a single or multi group; ``price`` is added to the family's base price."""

    code: str
    name: str
    price: Decimal = Decimal("0")
    is_default: bool = False
    active: bool = True
    layer: str = ""

    def __post_init__(self):
        _set(self, "price", to_decimal(self.price))


@dataclass(frozen=True)
class Condition:
    """When a rule applies: every code in ``all`` chosen, at least one of ``any`` (if given), none of ``none``.

    An empty condition always holds.
    """

    all: tuple[str, ...] = ()
    any: tuple[str, ...] = ()
    none: tuple[str, ...] = ()

    def __post_init__(self):
        for name in ("all", "any", "none"):
            _set(self, name, tuple(getattr(self, name)))

    @classmethod
    def coerce(cls, value: Condition | Mapping | None) -> Condition:
        if value is None:
            return cls()
        if isinstance(value, Condition):
            return value
        unknown = set(value) - {"all", "any", "none"}
        if unknown:
            raise ValueError(f"unknown condition keys: {sorted(unknown)}")
        return cls(**{key: tuple(codes) for key, codes in value.items()})

    def codes(self) -> tuple[str, ...]:
        return self.all + self.any + self.none

    def to_dict(self) -> dict:
        return {"all": list(self.all), "any": list(self.any), "none": list(self.none)}


@dataclass(frozen=True)
class Group:
    """An option group; see the module docstring for which fields each kind uses."""

    code: str
    name: str
    kind: str = SINGLE
    required: bool = True
    options: tuple[Option, ...] = ()
    min_count: int = 0
    max_count: int | None = None
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    step: Decimal | None = None
    unit: str = ""
    default: Decimal | None = None

    def __post_init__(self):
        _set(self, "options", tuple(self.options))
        for name in ("minimum", "maximum", "step", "default"):
            _set(self, name, to_decimal(getattr(self, name)))


@dataclass(frozen=True)
class Rule:
    """A constraint or a price rule; ``message`` is what the consumer reads when it blocks or applies."""

    code: str
    kind: str
    condition: Condition = field(default_factory=Condition)
    targets: tuple[str, ...] = ()
    group: str | None = None
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    amount: Decimal | None = None
    message: str = ""

    def __post_init__(self):
        _set(self, "condition", Condition.coerce(self.condition))
        _set(self, "targets", tuple(self.targets))
        for name in ("minimum", "maximum", "amount"):
            _set(self, name, to_decimal(getattr(self, name)))


@dataclass(frozen=True)
class Family:
    """A product family: its base price, option groups (in display order) and rules."""

    code: str
    name: str
    base_price: Decimal = Decimal("0")
    currency: str = "EUR"
    groups: tuple[Group, ...] = ()
    rules: tuple[Rule, ...] = ()
    version: str | None = None

    def __post_init__(self):
        _set(self, "base_price", to_decimal(self.base_price))
        _set(self, "groups", tuple(self.groups))
        _set(self, "rules", tuple(self.rules))

    def to_dict(self) -> dict:
        """The spec as JSON-friendly data (Decimals as strings)."""

        def num(value):
            return None if value is None else str(value)

        return {
            "code": self.code,
            "name": self.name,
            "base_price": num(self.base_price),
            "currency": self.currency,
            "version": self.version,
            "groups": [
                {
                    "code": g.code,
                    "name": g.name,
                    "kind": g.kind,
                    "required": g.required,
                    "min_count": g.min_count,
                    "max_count": g.max_count,
                    "minimum": num(g.minimum),
                    "maximum": num(g.maximum),
                    "step": num(g.step),
                    "unit": g.unit,
                    "default": num(g.default),
                    "options": [
                        {
                            "code": o.code,
                            "name": o.name,
                            "price": num(o.price),
                            "is_default": o.is_default,
                            "active": o.active,
                            "layer": o.layer,
                        }
                        for o in g.options
                    ],
                }
                for g in self.groups
            ],
            "rules": [
                {
                    "code": r.code,
                    "kind": r.kind,
                    "condition": r.condition.to_dict(),
                    "targets": list(r.targets),
                    "group": r.group,
                    "minimum": num(r.minimum),
                    "maximum": num(r.maximum),
                    "amount": num(r.amount),
                    "message": r.message,
                }
                for r in self.rules
            ],
        }

    @classmethod
    def from_dict(cls, data: Mapping) -> Family:
        """Build a spec from dicts shaped like ``to_dict``'s output (missing keys take their defaults)."""
        groups = []
        for g in data.get("groups", ()):
            g = dict(g)
            g["options"] = tuple(Option(**o) for o in g.get("options", ()))
            groups.append(Group(**g))
        rules = tuple(Rule(**r) for r in data.get("rules", ()))
        rest = {k: v for k, v in data.items() if k not in ("groups", "rules")}
        return cls(groups=tuple(groups), rules=rules, **rest)

    def fingerprint(self) -> str:
        """A hash of the whole spec: two specs with the same fingerprint configure identically."""
        text = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()[:16]
