"""How far reality has drifted from the plan, and whether it is time to reschedule."""

from __future__ import annotations

from dataclasses import dataclass

from .model import FactoryState, Plan


@dataclass(frozen=True)
class Drift:
    """Lateness against the plan at ``time``, in minutes (negative: ahead of plan).

    ``lines`` gives each line's worst lateness over the operations measured on it, ``max_lateness`` the
    worst of all (0 when nothing can be measured yet), ``worst_op`` the operation it comes from and
    ``late_ops`` how many operations are later than ``threshold``. ``reschedule`` is true when
    ``max_lateness`` exceeds ``threshold``.
    """

    time: float
    threshold: float
    reschedule: bool
    max_lateness: float
    worst_op: str | None
    lines: dict[str, float]
    late_ops: int


def drift(*, plan: Plan, state: FactoryState, threshold: float) -> Drift:
    """Compare the actual history in ``state`` with ``plan``.

    An operation done is as late as the later of its start and its end against plan; one in progress as
    its start, or as the time past its planned end if that is more; one not started yet whose planned start
    has passed, as the time since. Operations planned in the future and not started are not measured.
    """
    now = state.time
    in_hand = {ls.op: (line, ls.op_start) for line, ls in state.lines.items() if ls.op is not None}
    lines: dict[str, float] = {}
    worst_op = None
    max_lateness = None
    late_ops = 0
    for op in plan.ops:
        line = op.line
        if op.id in state.done:
            start, end = state.done[op.id]
            lateness = max(start - op.planned_start, end - op.planned_end)
        elif op.id in in_hand and in_hand[op.id][1] is not None:
            line, start = in_hand[op.id]
            lateness = max(start - op.planned_start, now - op.planned_end)
        elif now > op.planned_start:
            line = in_hand.get(op.id, (line,))[0]
            lateness = now - op.planned_start
        else:
            continue
        if line not in lines or lateness > lines[line]:
            lines[line] = lateness
        if max_lateness is None or lateness > max_lateness:
            max_lateness, worst_op = lateness, op.id
        late_ops += lateness > threshold
    max_lateness = 0.0 if max_lateness is None else max_lateness
    return Drift(
        time=now,
        threshold=threshold,
        reschedule=max_lateness > threshold,
        max_lateness=max_lateness,
        worst_op=worst_op,
        lines=lines,
        late_ops=late_ops,
    )
