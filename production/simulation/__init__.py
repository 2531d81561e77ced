"""Cosmo's factory simulation: a SimPy model of the lines, advanced in ticks, with drift and what-if.

Pure Python, no Django: inputs and outputs are the plain dataclasses of ``model`` (``to_dict`` makes them
JSON). Times are minutes from an origin the caller chooses.
"""

from .drift import Drift, drift
from .engine import advance
from .model import (
    STATES,
    Breakdown,
    Factory,
    FactoryState,
    Interval,
    Line,
    LineState,
    OpRecord,
    Outage,
    Plan,
    PlannedOp,
    Power,
    Spread,
    Tick,
    daily_shifts,
    factory_from_dict,
    plan_from_dict,
    state_from_dict,
    to_dict,
)
from .whatif import Forecast, JobForecast, what_if

__all__ = [
    "STATES",
    "Breakdown",
    "Drift",
    "Factory",
    "FactoryState",
    "Forecast",
    "Interval",
    "JobForecast",
    "Line",
    "LineState",
    "OpRecord",
    "Outage",
    "Plan",
    "PlannedOp",
    "Power",
    "Spread",
    "Tick",
    "advance",
    "daily_shifts",
    "drift",
    "factory_from_dict",
    "plan_from_dict",
    "state_from_dict",
    "to_dict",
    "what_if",
]
