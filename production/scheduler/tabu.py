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

The iterations run compiled (numba, without the interpreter lock): the search lives on moves per second,
and an iteration in plain Python cost about 0.5 ms on 200-400 operations, a hundred times the compiled
one. Python drives it in slices of a few milliseconds, to watch the clock, share the best schedule and
hear a stop. `make install` compiles the kernel once into numba's cache beside this file.

Used for problems where only the makespan matters (no shifts, changeovers, due dates or frozen
operations): the `.fjs` benchmark and makespan-only what-ifs. Releases are honoured.
"""

from __future__ import annotations

import time
from typing import Callable

import numpy as np
from numba import njit

from .problem import Placement, Problem, Schedule

BIG = 1 << 60
TOP = 8  # moves evaluated exactly per iteration, at most, best estimate first

# The counters shared with the kernel, by index into one int64 array.
IT, BEST, STALL, CMAX, IMPROVED, RESTART = range(6)


@njit(cache=True, nogil=True)
def _evaluate(g, seq, slen, p, r, q, mp, ms, work):
    """Heads r, tails q, line neighbours mp/ms and the makespan of the graph; -1 if it has a cycle
    (r, q, mp and ms are then garbage: evaluate the restored graph again)."""
    jp, js, release = g[0], g[1], g[2]
    n = p.shape[0]
    indeg, order = work[0], work[1]
    mp[:] = -1
    ms[:] = -1
    for k in range(seq.shape[0]):
        for t in range(slen[k] - 1):
            a = seq[k, t]
            b = seq[k, t + 1]
            ms[a] = b
            mp[b] = a
    tail = 0
    for i in range(n):
        d = (1 if jp[i] >= 0 else 0) + (1 if mp[i] >= 0 else 0)
        indeg[i] = d
        r[i] = release[i]
        if d == 0:
            order[tail] = i
            tail += 1
    # Kahn's order: a head is final when its operation leaves the queue; it pushes its successors' heads.
    # The job and the line successor are pushed by two copies of the same lines: as one helper, even
    # inlined, the search made about half the iterations a second (MK10, 20 s: 39,362 against 79,765).
    head = 0
    cmax = 0
    while head < tail:
        v = order[head]
        head += 1
        e = r[v] + p[v]
        if e > cmax:
            cmax = e
        w = js[v]
        if w >= 0:
            if e > r[w]:
                r[w] = e
            indeg[w] -= 1
            if indeg[w] == 0:
                order[tail] = w
                tail += 1
        w = ms[v]
        if w >= 0:
            if e > r[w]:
                r[w] = e
            indeg[w] -= 1
            if indeg[w] == 0:
                order[tail] = w
                tail += 1
    if tail < n:
        return -1
    for x in range(n - 1, -1, -1):
        v = order[x]
        t = 0
        b = js[v]
        if b >= 0 and q[b] + p[b] > t:
            t = q[b] + p[b]
        b = ms[v]
        if b >= 0 and q[b] + p[b] > t:
            t = q[b] + p[b]
        q[v] = t
    return cmax


@njit(cache=True, nogil=True)
def _moves(v, cutoff, g, alt_ptr, alt_line, alt_dur, seq, slen, p, r, q, out):
    """Every insertion of critical operation v (after operation u on line k; u = -1: first) whose
    estimate is at most `cutoff`, as rows (estimate, k, u) of `out`; returns their number.

    Along a line heads grow and tails shrink, so the insertions that close no cycle are one stretch of
    it: the operations whose tail is at least v's job predecessor's are skipped, and a line is left as
    soon as head + duration + tail passes the cutoff or an operation starts after v's job successor ends."""
    jp, js, release = g[0], g[1], g[2]
    a = jp[v]
    b = js[v]
    rv = release[v]
    if a >= 0 and r[a] + p[a] > rv:
        rv = r[a] + p[a]
    qv = q[b] + p[b] if b >= 0 else 0
    limit_r = r[b] + p[b] if b >= 0 else BIG  # u must not follow v's job successor
    limit_q = q[a] + p[a] if a >= 0 else BIG  # w must not precede v's job predecessor
    count = 0
    for x in range(alt_ptr[v], alt_ptr[v + 1]):
        k = alt_line[x]
        d = alt_dur[x]
        if rv + d + qv > cutoff:
            continue
        m = slen[k]
        i = 0
        if a >= 0:
            while i < m and q[seq[k, i]] >= limit_q:
                i += 1
        u = -1
        head = rv
        if i > 0:
            u = seq[k, i - 1]
            if u == v:
                u = seq[k, i - 2] if i > 1 else -1
            if u >= 0:
                if r[u] >= limit_r:
                    continue
                if r[u] + p[u] > rv:
                    head = r[u] + p[u]
        bound = cutoff - d - qv
        left = False
        for t in range(i, m):
            w = seq[k, t]
            if w == v:
                continue
            if head > bound:
                left = True
                break
            tail = q[w] + p[w]
            out[count, 0] = head + d + (tail if tail > qv else qv)
            out[count, 1] = k
            out[count, 2] = u
            count += 1
            if r[w] >= limit_r:
                left = True
                break
            u = w
            head = r[w] + p[w]
            if head < rv:
                head = rv
        if not left and head <= bound:
            out[count, 0] = head + d + qv
            out[count, 1] = k
            out[count, 2] = u
            count += 1
    return count


@njit(cache=True, nogil=True)
def _position(seq, slen, k, v):
    for t in range(slen[k]):
        if seq[k, t] == v:
            return t
    return -1


@njit(cache=True, nogil=True)
def _remove(seq, slen, k, t):
    for x in range(t, slen[k] - 1):
        seq[k, x] = seq[k, x + 1]
    slen[k] -= 1


@njit(cache=True, nogil=True)
def _insert(seq, slen, k, t, v):
    for x in range(slen[k], t, -1):
        seq[k, x] = seq[k, x - 1]
    seq[k, t] = v
    slen[k] += 1


@njit(cache=True, nogil=True)
def _apply(v, k, u, mach, dur, seq, slen, p):
    """Move v to line k right after operation u (-1: first); return v's old line and position."""
    old_k = mach[v]
    old_t = _position(seq, slen, old_k, v)
    _remove(seq, slen, old_k, old_t)
    t = _position(seq, slen, k, u) + 1 if u >= 0 else 0
    _insert(seq, slen, k, t, v)
    mach[v] = k
    p[v] = dur[v, k]
    return old_k, old_t


@njit(cache=True, nogil=True)
def _undo(v, old_k, old_t, mach, dur, seq, slen, p):
    k = mach[v]
    _remove(seq, slen, k, _position(seq, slen, k, v))
    _insert(seq, slen, old_k, old_t, v)
    mach[v] = old_k
    p[v] = dur[v, old_k]


@njit(cache=True, nogil=True)
def _seed(seed):
    np.random.seed(seed)


@njit(cache=True, nogil=True)
def _perturb(moves, g, alt_ptr, alt_line, alt_dur, dur, mach, seq, slen, p, r, q, mp, ms, work, out, ctr):
    """A few random critical moves, to leave a plateau or a fully tabu neighbourhood."""
    n = p.shape[0]
    crit = work[2]
    for _ in range(moves):
        c = ctr[CMAX]
        size = 0
        for i in range(n):
            if r[i] + p[i] + q[i] == c:
                crit[size] = i
                size += 1
        v = crit[np.random.randint(0, size)]
        count = _moves(v, BIG, g, alt_ptr, alt_line, alt_dur, seq, slen, p, r, q, out)
        if count == 0:
            continue
        x = np.random.randint(0, count)
        k, u = out[x, 1], out[x, 2]
        old_k, old_t = _apply(v, k, u, mach, dur, seq, slen, p)
        value = _evaluate(g, seq, slen, p, r, q, mp, ms, work)
        if value < 0:
            _undo(v, old_k, old_t, mach, dur, seq, slen, p)
            value = _evaluate(g, seq, slen, p, r, q, mp, ms, work)
        ctr[CMAX] = value


@njit(cache=True, nogil=True)
def _keep_best(mach, seq, slen, r, p, best_mach, best_seq, best_slen, best_r, best_p):
    best_mach[:] = mach
    best_r[:] = r
    best_p[:] = p
    for k in range(seq.shape[0]):
        best_slen[k] = slen[k]
        for t in range(slen[k]):
            best_seq[k, t] = seq[k, t]


@njit(cache=True, nogil=True)
def _restore(g, dur, mach, seq, slen, p, r, q, mp, ms, work, best_mach, best_seq, best_slen):
    """The current graph becomes the best one; returns its makespan."""
    mach[:] = best_mach
    for k in range(seq.shape[0]):
        slen[k] = best_slen[k]
        for t in range(best_slen[k]):
            seq[k, t] = best_seq[k, t]
    for i in range(mach.shape[0]):
        p[i] = dur[i, mach[i]]
    return _evaluate(g, seq, slen, p, r, q, mp, ms, work)


@njit(cache=True, nogil=True)
def _iterate(steps, tenure, max_stall, g, alt_ptr, alt_line, alt_dur, dur, mach, seq, slen, p, r, q, mp, ms,
             work, out, tabu_u, tabu_until, best_mach, best_seq, best_slen, best_r, best_p, ctr):  # fmt: skip
    """Up to `steps` iterations. Stops early, with ctr[RESTART] set, when the search has stalled and
    should restart (the caller may first bring in a better schedule found elsewhere)."""
    n = p.shape[0]
    path = work[3]
    top_e = np.empty(TOP + 1, np.int64)
    top_x = np.empty(TOP + 1, np.float64)
    top_v = np.empty(TOP + 1, np.int64)
    top_k = np.empty(TOP + 1, np.int64)
    top_u = np.empty(TOP + 1, np.int64)
    for _ in range(steps):
        it = ctr[IT] + 1
        ctr[IT] = it
        best = ctr[BEST]
        c = ctr[CMAX]
        # One critical path, from a random end back to its start (ties broken at random).
        ends = 0
        for i in range(n):
            if r[i] + p[i] == c:
                ends += 1
        pick = np.random.randint(0, ends)
        v = -1
        for i in range(n):
            if r[i] + p[i] == c:
                if pick == 0:
                    v = i
                    break
                pick -= 1
        length = 0
        while v >= 0:
            path[length] = v
            length += 1
            a, b = g[0][v], mp[v]
            ok_a = a >= 0 and r[a] + p[a] == r[v]
            ok_b = b >= 0 and r[b] + p[b] == r[v]
            if ok_a and ok_b:
                v = a if np.random.random() < 0.5 else b
            elif ok_a:
                v = a
            elif ok_b:
                v = b
            else:
                v = -1
        # The best few moves by estimate; a tabu move only if it would beat the best (aspiration).
        size = 0
        worst = BIG
        for x in range(length):
            v = path[x]
            here_k, here_u = mach[v], mp[v]
            count = _moves(v, worst, g, alt_ptr, alt_line, alt_dur, seq, slen, p, r, q, out)
            for y in range(count):
                est, k, u = out[y, 0], out[y, 1], out[y, 2]
                if est > worst or (k == here_k and u == here_u):
                    continue
                if est >= best and tabu_until[v, k] >= it and tabu_u[v, k] == u:
                    continue
                key = np.random.random()
                z = size
                while z > 0 and (top_e[z - 1] > est or (top_e[z - 1] == est and top_x[z - 1] > key)):
                    top_e[z] = top_e[z - 1]
                    top_x[z] = top_x[z - 1]
                    top_v[z] = top_v[z - 1]
                    top_k[z] = top_k[z - 1]
                    top_u[z] = top_u[z - 1]
                    z -= 1
                top_e[z], top_x[z], top_v[z], top_k[z], top_u[z] = est, key, v, k, u
                size += 1
                if size > TOP:
                    size = TOP
                    worst = top_e[TOP - 1]
        moved = False
        for z in range(size):
            v, k, u = top_v[z], top_k[z], top_u[z]
            from_u = mp[v]
            old_k, old_t = _apply(v, k, u, mach, dur, seq, slen, p)
            value = _evaluate(g, seq, slen, p, r, q, mp, ms, work)
            if value < 0:
                _undo(v, old_k, old_t, mach, dur, seq, slen, p)
                _evaluate(g, seq, slen, p, r, q, mp, ms, work)
                continue
            ctr[CMAX] = value
            tabu_u[v, old_k] = from_u
            tabu_until[v, old_k] = it + tenure + np.random.randint(0, tenure + 1)
            moved = True
            break
        if not moved:
            _perturb(3, g, alt_ptr, alt_line, alt_dur, dur, mach, seq, slen, p, r, q, mp, ms, work, out, ctr)
        if ctr[CMAX] < best:
            ctr[BEST] = ctr[CMAX]
            ctr[STALL] = 0
            ctr[IMPROVED] = 1
            _keep_best(mach, seq, slen, r, p, best_mach, best_seq, best_slen, best_r, best_p)
        else:
            if ctr[CMAX] == best:  # restarts drift along the plateau of equal makespans
                _keep_best(mach, seq, slen, r, p, best_mach, best_seq, best_slen, best_r, best_p)
            ctr[STALL] += 1
            if ctr[STALL] > max_stall:
                ctr[RESTART] = 1
                return


@njit(cache=True, nogil=True)
def _restart(kicks, g, alt_ptr, alt_line, alt_dur, dur, mach, seq, slen, p, r, q, mp, ms, work, out,
             tabu_until, best_mach, best_seq, best_slen, ctr):  # fmt: skip
    """From the best graph again, the tabu list cleared, kicked by a few random critical moves."""
    ctr[CMAX] = _restore(g, dur, mach, seq, slen, p, r, q, mp, ms, work, best_mach, best_seq, best_slen)
    tabu_until[:, :] = 0
    _perturb(kicks, g, alt_ptr, alt_line, alt_dur, dur, mach, seq, slen, p, r, q, mp, ms, work, out, ctr)
    ctr[STALL] = 0
    ctr[RESTART] = 0


class TabuSearch:
    """Critical-path tabu search over line assignments and line sequences (see the module docstring)."""

    def __init__(self, problem: Problem, schedule: Schedule, seed: int = 0):
        keys = [(j, o) for j, job in enumerate(problem.jobs) for o in range(len(job.operations))]
        self.keys = keys
        index = {k: i for i, k in enumerate(keys)}
        n = self.n = len(keys)
        lines = len(problem.lines)
        alternatives = [problem.jobs[j].operations[o].lines() for j, o in keys]
        self.g = np.array(
            [
                [index[(j, o - 1)] if o > 0 else -1 for j, o in keys],
                [index[(j, o + 1)] if o + 1 < len(problem.jobs[j].operations) else -1 for j, o in keys],
                [problem.jobs[j].release if o == 0 else 0 for j, o in keys],
            ],
            dtype=np.int64,
        )
        self.alt_ptr = np.zeros(n + 1, np.int64)
        self.alt_ptr[1:] = np.cumsum([len(a) for a in alternatives])
        self.alt_line = np.array([k for a in alternatives for k in a], dtype=np.int64)
        self.alt_dur = np.array([d for a in alternatives for d in a.values()], dtype=np.int64)
        self.dur = np.full((n, lines), -1, np.int64)
        for i, a in enumerate(alternatives):
            for k, d in a.items():
                self.dur[i, k] = d
        self.mach = np.zeros(n, np.int64)
        self.seq = np.full((lines, max(n, 1)), -1, np.int64)
        self.slen = np.zeros(lines, np.int64)
        self.p = np.zeros(n, np.int64)
        self.r = np.zeros(n, np.int64)
        self.q = np.zeros(n, np.int64)
        self.mp = np.zeros(n, np.int64)
        self.ms = np.zeros(n, np.int64)
        self.work = np.zeros((4, n), np.int64)
        self.out = np.zeros((n + lines + 1, 3), np.int64)
        self.tabu_u = np.zeros((n, lines), np.int64)
        self.tabu_until = np.zeros((n, lines), np.int64)
        self.best_mach = np.zeros(n, np.int64)
        self.best_seq = np.zeros_like(self.seq)
        self.best_slen = np.zeros(lines, np.int64)
        self.best_r = np.zeros(n, np.int64)
        self.best_p = np.zeros(n, np.int64)
        self.ctr = np.zeros(6, np.int64)
        self.seed = seed
        self._load_schedule(schedule)
        assert self.ctr[CMAX] >= 0, "the starting schedule has a cycle"

    def _load_schedule(self, schedule: Schedule) -> None:
        """The current graph and the best become `schedule`'s lines and sequences."""
        keys, placements = self.keys, schedule.placements
        self.mach[:] = [placements[k].line for k in keys]
        self.slen[:] = 0
        for i in sorted(range(self.n), key=lambda i: (placements[keys[i]].start, placements[keys[i]].end)):
            k = self.mach[i]
            self.seq[k, self.slen[k]] = i
            self.slen[k] += 1
        self.p[:] = self.dur[np.arange(self.n), self.mach]
        value = _evaluate(self.g, self.seq, self.slen, self.p, self.r, self.q, self.mp, self.ms, self.work)
        self.ctr[CMAX] = value
        self.ctr[BEST] = value
        _keep_best(self.mach, self.seq, self.slen, self.r, self.p, self.best_mach, self.best_seq, self.best_slen,
                   self.best_r, self.best_p)  # fmt: skip

    def _schedule(self, mach, r, p) -> Schedule:
        return Schedule({
            (j, o): Placement(j, o, int(mach[i]), int(r[i]), int(r[i] + p[i])) for i, (j, o) in enumerate(self.keys)
        })  # fmt: skip

    def snapshot(self) -> Schedule:
        """The current graph as a schedule."""
        return self._schedule(self.mach, self.r, self.p)

    def run(
        self,
        deadline: float,
        stop: Callable[[], bool] = lambda: False,
        on_improve: Callable[[Schedule, int], None] | None = None,
        incumbent: Callable[[], tuple[Schedule, int]] | None = None,
    ) -> tuple[Schedule, int]:
        """Search until `deadline` (perf_counter) or `stop()`; return the best (schedule, makespan).

        `on_improve(schedule, makespan)` hears of each new best (at most once per slice); after a long
        stall the search restarts from its best, or from `incumbent()` (a schedule shared with other
        searches) when that is better.
        """
        _seed(self.seed)  # numba's generator is per thread: seeded in the one that searches
        ctr = self.ctr
        best_sched = self._schedule(self.best_mach, self.best_r, self.best_p)
        max_stall = 200 + 4 * self.n
        tenure = 2 + self.n // 20
        kicks = 2 + self.n // 20
        steps = 16
        graph = (self.g, self.alt_ptr, self.alt_line, self.alt_dur, self.dur, self.mach, self.seq, self.slen,
                 self.p, self.r, self.q, self.mp, self.ms, self.work, self.out)  # fmt: skip
        kept = (self.best_mach, self.best_seq, self.best_slen)
        while not stop():
            t = time.perf_counter()
            if t >= deadline:
                break
            ctr[IMPROVED] = 0
            _iterate(steps, tenure, max_stall, *graph, self.tabu_u, self.tabu_until, *kept, self.best_r, self.best_p, ctr)
            if ctr[IMPROVED]:
                best_sched = self._schedule(self.best_mach, self.best_r, self.best_p)
                if on_improve is not None:
                    on_improve(best_sched, int(ctr[BEST]))
            if ctr[RESTART]:
                if incumbent is not None:
                    shared, shared_value = incumbent()
                    if shared_value < ctr[BEST]:
                        best_sched = shared
                        self._load_schedule(shared)
                _restart(kicks, *graph, self.tabu_until, *kept, ctr)
            # Slices of about 5 ms: the clock and stop() are watched, the kernel does the work.
            took = time.perf_counter() - t
            if took < 0.0025 and steps < 1 << 16:
                steps *= 2
            elif took > 0.01 and steps > 1:
                steps //= 2
        return best_sched, int(ctr[BEST])


def warm() -> None:
    """Compile the kernel into numba's cache (run by `make install`), on a two-job problem."""
    from .dispatcher import dispatch
    from .problem import Job, Line, Operation

    problem = Problem(
        jobs=(
            Job(operations=(Operation({0: 3, 1: 4}), Operation({1: 2}))),
            Job(operations=(Operation({0: 2}), Operation({0: 1, 1: 3}))),
        ),
        lines=(Line(name="A"), Line(name="B")),
    )
    search = TabuSearch(problem, dispatch(problem))
    search.run(time.perf_counter() + 0.01)  # compiles a slice (its first call outlasts the deadline)
    search.run(time.perf_counter() + 0.2)  # long enough on two jobs to stall and restart
