"""The Cosmo configurator engine: pure Python over plain data, no Django.

Build a ``Family`` spec (``spec.py``), compile it once with ``compile_family`` (cached per family code and
version), then ``evaluate(compiled, selection)`` for every change the consumer makes, and ``choose`` (``choose.py``)
when they pick an option that needs other answers changed. ``engine.py``
documents the semantics of every answer; ``result.py`` the shape of the answer.
"""

from .choose import FITS, FITS_WITH_CHANGES, IMPOSSIBLE, ChooseError, Chosen, OptionStatus, choose, option_statuses
from .engine import (
    CompiledFamily,
    FamilyProblem,
    SpecError,
    check,
    check_family,
    clear_cache,
    compile_family,
    default_selection,
    evaluate,
    forget_family,
)
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
from .spec import Condition, Family, Group, Option, Rule

__all__ = [
    "FITS",
    "FITS_WITH_CHANGES",
    "IMPOSSIBLE",
    "ChooseError",
    "Chosen",
    "OptionStatus",
    "choose",
    "option_statuses",
    "BlockedRange",
    "BrokenRule",
    "Change",
    "Choice",
    "CompiledFamily",
    "Condition",
    "Evaluation",
    "Family",
    "FamilyProblem",
    "Fix",
    "Group",
    "GroupError",
    "LineCheck",
    "NumericState",
    "Option",
    "OptionState",
    "PriceLine",
    "Rule",
    "SpecError",
    "ValueRange",
    "check",
    "check_family",
    "clear_cache",
    "compile_family",
    "default_selection",
    "evaluate",
    "forget_family",
]
