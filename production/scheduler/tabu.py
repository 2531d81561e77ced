"""Tabu search on the critical path, for the makespan of a flexible job shop without calendars.

The schedule is a disjunctive graph: a line and a sequence per line for every operation; starts are the
earliest the graph allows (heads). A move takes one operation of a critical path out of its line and
inserts it on any capable line at any position (the neighbourhood of Mastrolilli and Gambardella): the
makespan through the moved operation is estimated from the heads and tails of the current graph, the
best non-tabu move is applied and evaluated exactly (a move that would close a cycle is discarded).
The moves come from one critical path per iteration (a move that shortens the makespan must touch every
critical path, so one suffices, and the neighbourhood is smaller and faster). After a stall the search
restarts from its best, kicked by a few random critical moves; the best follows plateaus of equal
makespan, so restarts drift instead of circling one schedule.
Used for problems where only the makespan matters (no shifts, changeovers, due dates or frozen
operations): the `.fjs` benchmark and makespan-only what-ifs. Releases are honoured.
"""

from __future__ import annotations

import random
import time
from bisect import bisect_right
from itertools import islice
from typing import Callable

from .problem import Placement, Problem, Schedule


def applicable(problem: Problem) -> bool:
    """True when the makespan is the whole objective and no line has a calendar."""
    return (
        not problem.has_changeovers
        and all(line.shifts is None for line in problem.lines)
        and all(job.due is None for job in problem.jobs)
        and all(op.frozen is None for job in problem.jobs for op in job.operations)
    )


class TabuSearch:
    """Critical-path tabu search over line assignments and line sequences (see the module docstring)."""

    def __init__(self, problem: Problem, schedule: Schedule, seed: int = 0):
        self.problem = problem
        self.rng = random.Random(seed)
        keys = [(j, o) for j, job in enumerate(problem.jobs) for o in range(len(job.operations))]
        self.keys = keys
        index = {k: i for i, k in enumerate(keys)}
        n = len(keys)
        self.n = n
        self.alt = [problem.jobs[j].operations[o].lines() for j, o in keys]
        self.release = [problem.jobs[j].release if o == 0 else 0 for j, o in keys]
        self.jp = [index[(j, o - 1)] if o > 0 else -1 for j, o in keys]
        self.js = [index[(j, o + 1)] if o + 1 < len(problem.jobs[j].operations) else -1 for j, o in keys]
        self.n_lines = len(problem.lines)
        self.mach = [schedule.placements[k].line for k in keys]
        self.seq: list[list[int]] = [[] for _ in range(self.n_lines)]
        for i in sorted(range(n), key=lambda i: (schedule.placements[keys[i]].start, schedule.placements[keys[i]].end)):
            self.seq[self.mach[i]].append(i)
        self.p = [self.alt[i][self.mach[i]] for i in range(n)]
        self.cmax = self._evaluate()
        assert self.cmax is not None, "the starting schedule has a cycle"

    def _evaluate(self) -> int | None:
        """Heads, tails and makespan of the current graph; None if the graph has a cycle."""
        n, jp, js, p, release = self.n, self.jp, self.js, self.p, self.release
        mp = [-1] * n
        ms = [-1] * n
        for s in self.seq:
            for a, b in zip(s, s[1:]):
                ms[a] = b
                mp[b] = a
        indeg = [(jp[i] >= 0) + (mp[i] >= 0) for i in range(n)]
        order = [i for i in range(n) if indeg[i] == 0]
        r = release[:]
        cmax = 0
        append = order.append
        # Kahn's topological order; a head is final when its operation leaves the queue, and it pushes
        # the heads of its job and line successors.
        for v in order:
            e = r[v] + p[v]
            if e > cmax:
                cmax = e
            w = js[v]
            if w >= 0:
                if e > r[w]:
                    r[w] = e
                indeg[w] -= 1
                if not indeg[w]:
                    append(w)
            w = ms[v]
            if w >= 0:
                if e > r[w]:
                    r[w] = e
                indeg[w] -= 1
                if not indeg[w]:
                    append(w)
        if len(order) < n:
            return None
        q = [0] * n
        for v in reversed(order):
            t = 0
            b = js[v]
            if b >= 0 and q[b] + p[b] > t:
                t = q[b] + p[b]
            b = ms[v]
            if b >= 0 and q[b] + p[b] > t:
                t = q[b] + p[b]
            q[v] = t
        self.r, self.q, self.mp, self.ms = r, q, mp, ms
        # Tails shrink along a line: negated, each line's are sorted for the bisection in `_moves`.
        self.neg_tails = [[-q[w] for w in s] for s in self.seq]
        return cmax

    def _moves(self, v: int, cutoff: int = 1 << 62):
        """(estimate, line, position) for every insertion of critical operation v (position i of the
        line's sequence with v taken out) whose estimate is at most `cutoff`. Along a line heads grow and
        tails shrink, so the insertions that close no cycle are one stretch of it: the operations whose
        tail is at least v's job predecessor's are skipped by bisection, and a line is left as soon as
        head + duration + tail passes the cutoff or an operation starts after v's job successor ends."""
        r, q, p = self.r, self.q, self.p
        a, b = self.jp[v], self.js[v]
        rv = max(self.release[v], r[a] + p[a] if a >= 0 else 0)
        qv = q[b] + p[b] if b >= 0 else 0
        limit_r = r[b] + p[b] if b >= 0 else 1 << 62  # u must not follow v's job successor
        limit_q = q[a] + p[a] if a >= 0 else 1 << 62  # w must not precede v's job predecessor
        for k, d in self.alt[v].items():
            if rv + d + qv > cutoff:
                continue
            s = self.seq[k]
            i = bisect_right(self.neg_tails[k], -limit_q) if a >= 0 else 0
            u = -1
            head = rv
            if i:
                u = s[i - 1]
                if u == v:
                    u = s[i - 2] if i > 1 else -1
                if u >= 0:
                    if r[u] >= limit_r:
                        continue
                    if r[u] + p[u] > rv:
                        head = r[u] + p[u]
            bound = cutoff - d - qv
            for w in islice(s, i, None):
                if w == v:
                    continue
                if head > bound:
                    break
                tail = q[w] + p[w]
                yield head + d + (tail if tail > qv else qv), k, u
                if r[w] >= limit_r:
                    break
                u = w
                head = r[w] + p[w]
                if head < rv:
                    head = rv
            else:
                if head <= bound:
                    yield head + d + qv, k, u

    def _apply(self, v: int, k: int, u: int) -> tuple[int, int, int]:
        """Move v to line k right after operation u (-1: first); return what undoes it."""
        old_k = self.mach[v]
        old_i = self.seq[old_k].index(v)
        self.seq[old_k].pop(old_i)
        self.seq[k].insert(self.seq[k].index(u) + 1 if u >= 0 else 0, v)
        self.mach[v] = k
        self.p[v] = self.alt[v][k]
        return old_k, old_i, k

    def _undo(self, v: int, undo: tuple[int, int, int]) -> None:
        old_k, old_i, k = undo
        self.seq[k].remove(v)
        self.seq[old_k].insert(old_i, v)
        self.mach[v] = old_k
        self.p[v] = self.alt[v][old_k]

    def critical(self) -> list[int]:
        c = self.cmax
        return [i for i in range(self.n) if self.r[i] + self.p[i] + self.q[i] == c]

    def critical_path(self) -> list[int]:
        """One critical path, from its end back to its start (ties broken at random)."""
        r, p, c, rng = self.r, self.p, self.cmax, self.rng
        ends = [i for i in range(self.n) if r[i] + p[i] == c]
        v = rng.choice(ends)
        path = [v]
        while True:
            options = [a for a in (self.jp[v], self.mp[v]) if a >= 0 and r[a] + p[a] == r[v]]
            if not options:
                return path
            v = options[0] if len(options) == 1 else rng.choice(options)
            path.append(v)

    def snapshot(self) -> Schedule:
        placements = {}
        for i, (j, o) in enumerate(self.keys):
            placements[(j, o)] = Placement(j, o, self.mach[i], self.r[i], self.r[i] + self.p[i])
        return Schedule(placements)

    def run(
        self,
        deadline: float,
        stop: Callable[[], bool] = lambda: False,
        on_improve: Callable[[Schedule, int], None] | None = None,
        incumbent: Callable[[], tuple[Schedule, int]] | None = None,
    ) -> tuple[Schedule, int]:
        """Search until `deadline` (perf_counter) or `stop()`; return the best (schedule, makespan).

        `on_improve(schedule, makespan)` hears of each new best; after a long stall the search restarts
        from its best, or from `incumbent()` (a schedule shared with other searches) when that is better.
        """
        rng = self.rng
        best_sched, best = self.snapshot(), self.cmax
        best_state = self._state()
        tabu: dict[tuple[int, int, int], int] = {}
        it = 0
        stall = 0
        max_stall = 200 + 4 * self.n
        base_tenure = 2 + self.n // 20
        while not stop() and time.perf_counter() < deadline:
            it += 1
            # The best few moves by estimate; a tabu move only if it would beat the best (aspiration).
            top: list[tuple[int, float, int, int, int]] = []
            worst = 1 << 62
            for v in self.critical_path():
                mv = self.mach[v]
                here = self.mp[v]
                for est, k, u in self._moves(v, worst):
                    if est > worst or (k == mv and u == here):
                        continue
                    if est >= best and tabu.get((v, k, u), 0) >= it:
                        continue
                    top.append((est, rng.random(), v, k, u))
                    if len(top) > 8:
                        top.sort()
                        top.pop()
                        worst = top[-1][0]
            top.sort()
            moved = False
            for est, _, v, k, u in top:
                old_k = self.mach[v]
                old_pos = self.seq[old_k].index(v)
                old_u = self.seq[old_k][old_pos - 1] if old_pos > 0 else -1
                undo = self._apply(v, k, u)
                value = self._evaluate()
                if value is None:
                    self._undo(v, undo)
                    continue
                self.cmax = value
                tabu[(v, old_k, old_u)] = it + base_tenure + rng.randrange(base_tenure + 1)
                moved = True
                break
            if not moved:
                self._perturb()
            if self.cmax < best:
                best, best_sched = self.cmax, self.snapshot()
                best_state = self._state()
                stall = 0
                if on_improve is not None:
                    on_improve(best_sched, best)
            else:
                if self.cmax == best:
                    best_state = self._state()  # restarts drift along the plateau of equal makespans
                stall += 1
                if stall > max_stall:
                    if incumbent is not None:
                        shared, shared_value = incumbent()
                        if shared_value < best:
                            best_sched, best = shared, shared_value
                            self._load_schedule(shared)
                            best_state = self._state()
                    self._load(best_state)
                    tabu.clear()
                    self._perturb(moves=2 + self.n // 20)
                    stall = 0
        return best_sched, best

    def _state(self) -> tuple:
        return self.mach[:], [s[:] for s in self.seq]

    def _load(self, state: tuple) -> None:
        mach, seq = state
        self.mach = mach[:]
        self.seq = [s[:] for s in seq]
        self.p = [self.alt[i][self.mach[i]] for i in range(self.n)]
        self.cmax = self._evaluate()

    def _load_schedule(self, schedule: Schedule) -> None:
        keys = self.keys
        self.mach = [schedule.placements[k].line for k in keys]
        self.seq = [[] for _ in range(self.n_lines)]
        for i in sorted(range(self.n), key=lambda i: (schedule.placements[keys[i]].start, schedule.placements[keys[i]].end)):
            self.seq[self.mach[i]].append(i)
        self.p = [self.alt[i][self.mach[i]] for i in range(self.n)]
        self.cmax = self._evaluate()

    def _perturb(self, moves: int = 3) -> None:
        """A few random critical moves, to leave a plateau or a fully tabu neighbourhood."""
        for _ in range(moves):
            crit = self.critical()
            v = self.rng.choice(crit)
            options = list(self._moves(v))
            if not options:
                continue
            _, k, u = self.rng.choice(options)
            if u == v:
                continue
            undo = self._apply(v, k, u)
            value = self._evaluate()
            if value is None:
                self._undo(v, undo)
                self._evaluate()
            else:
                self.cmax = value
