"""The Boolean core of the configurator: propagation and search over a compiled family.

A family compiles to Boolean variables (one per option, per numeric segment and per "nothing chosen" of an
optional single or numeric group), clauses (one or more per rule) and one cardinality constraint per group
(a set of allowed counts of true variables: ``{1}`` for single and numeric groups). Literals are ints:
``2 * var`` is "var is true", ``2 * var + 1`` is "var is false".

The solver is a small DPLL: unit propagation with reasons, depth-first search with conflict-directed
backjumping, and conflict analysis that traces every failure back to the assumptions (the consumer's
answers) and the rules it used. An exhaustive refutation therefore comes with an explanation: the union of
the assumptions and rules behind every failed branch is itself sufficient for the failure, which is how
the engine names the rules and choices that block an option. Pure Python, because the families of a
configurator are small: deciding every option of a 40-group family takes a few milliseconds here, while
a single CP-SAT solve of the same family costs tens of milliseconds from Python (measured with
``bench/configurator.py``). CP-SAT only takes over the fix of selections far from any valid one.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Problem:
    """The compiled constraints: ``clauses[i]`` comes from rule ``clause_rule[i]`` (an index into the
    family's rules); ``groups[g]`` lists variables and ``allowed[g]`` their allowed counts of true."""

    nvars: int
    clauses: list[tuple[int, ...]]
    clause_rule: list[int]
    groups: list[tuple[int, ...]]
    allowed: list[tuple[int, ...]]

    def __post_init__(self):
        self.var_group = [0] * self.nvars
        for g, vs in enumerate(self.groups):
            for v in vs:
                self.var_group[v] = g
        self.occ = [[] for _ in range(2 * self.nvars)]
        for ci, clause in enumerate(self.clauses):
            for lit in clause:
                self.occ[lit].append(ci)
        self.allowed_set = [frozenset(a) for a in self.allowed]
        self.exactly_one = [a == (1,) for a in self.allowed]
        self.order = [v for vs in self.groups for v in vs]


class Explanation:
    """Why something failed: the assumed variables (``roots``) and the rules (indices) that were used."""

    __slots__ = ("roots", "rules")

    def __init__(self, roots=(), rules=()):
        self.roots = set(roots)
        self.rules = set(rules)

    def add(self, other: Explanation) -> None:
        self.roots |= other.roots
        self.rules |= other.rules


class Solver:
    """A mutable search state over a ``Problem``; cheap to create, not shared between threads.

    Use ``mark()``/``backtrack(mark)`` around ``assume``/``propagate``/``search`` to undo work.
    """

    def __init__(self, problem: Problem):
        p = problem
        self.p = p
        self.val = [-1] * p.nvars
        self.reason = [None] * p.nvars
        self.pos = [0] * p.nvars
        self.assumed = [False] * p.nvars
        self.trail: list[int] = []
        self.qhead = 0
        self.root_conflict: Explanation | None = None
        conflict = None
        for ci, clause in enumerate(p.clauses):
            if not clause:
                conflict = ci
                break
            if len(clause) == 1:
                lit = clause[0]
                x = self.val[lit >> 1]
                if x < 0:
                    self._assign(lit, ci)
                elif x == (lit & 1):
                    conflict = ci
                    break
        if conflict is None:
            for g in range(len(p.groups)):
                conflict = self._group(g)
                if conflict is not None:
                    break
        if conflict is None:
            conflict = self.propagate()
        if conflict is not None:
            self.root_conflict = self.analyze(conflict)[1]

    def fork(self) -> Solver:
        """A copy of this state (the compiled family keeps one solver at its root state to fork from)."""
        other = Solver.__new__(Solver)
        other.p = self.p
        other.val = self.val[:]
        other.reason = self.reason[:]
        other.pos = self.pos[:]
        other.assumed = self.assumed[:]
        other.trail = self.trail[:]
        other.qhead = self.qhead
        other.root_conflict = self.root_conflict
        return other

    # -- state ------------------------------------------------------------------------------------------

    def mark(self) -> int:
        return len(self.trail)

    def backtrack(self, mark: int) -> None:
        trail, val, assumed = self.trail, self.val, self.assumed
        for i in range(len(trail) - 1, mark - 1, -1):
            v = trail[i] >> 1
            val[v] = -1
            assumed[v] = False
        del trail[mark:]
        if self.qhead > mark:
            self.qhead = mark

    def _assign(self, lit: int, reason) -> None:
        v = lit >> 1
        self.val[v] = (lit & 1) ^ 1
        self.reason[v] = reason
        self.pos[v] = len(self.trail)
        self.trail.append(lit)

    def assume(self, lits) -> Explanation | None:
        """Assume the literals (one group's answer) and propagate; on a conflict return its explanation."""
        val = self.val
        for lit in lits:
            v = lit >> 1
            x = val[v]
            if x < 0:
                self._assign(lit, None)
                self.assumed[v] = True
            elif x == (lit & 1):
                explanation = self.explain_var(v)
                explanation.roots.add(v)
                return explanation
        conflict = self.propagate()
        if conflict is None:
            return None
        return self.analyze(conflict)[1]

    # -- propagation ------------------------------------------------------------------------------------

    def propagate(self):
        """Unit propagation to a fixpoint; returns ``None`` or a conflict (clause index, or ``~group``)."""
        p, val, trail = self.p, self.val, self.trail
        clauses, occ, var_group = p.clauses, p.occ, p.var_group
        while self.qhead < len(trail):
            lit = trail[self.qhead]
            self.qhead += 1
            for ci in occ[lit ^ 1]:
                unit = -1
                free = 0
                for other in clauses[ci]:
                    x = val[other >> 1]
                    if x < 0:
                        free += 1
                        if free == 2:
                            break
                        unit = other
                    elif x != (other & 1):
                        free = 2
                        break
                if free == 0:
                    return ci
                if free == 1:
                    self._assign(unit, ci)
            conflict = self._group(var_group[lit >> 1])
            if conflict is not None:
                return conflict
        return None

    def _group(self, g: int):
        vs = self.p.groups[g]
        val = self.val
        true = free = 0
        for v in vs:
            x = val[v]
            if x == 1:
                true += 1
            elif x < 0:
                free += 1
        if free == 0:
            return None if true in self.p.allowed_set[g] else ~g
        low = high = None
        for count in self.p.allowed[g]:
            if true <= count <= true + free:
                if low is None:
                    low = count
                high = count
        if low is None:
            return ~g
        if high == true:
            for v in vs:
                if val[v] < 0:
                    self._assign(2 * v + 1, ~g)
        elif low == true + free:
            for v in vs:
                if val[v] < 0:
                    self._assign(2 * v, ~g)
        return None

    # -- explanations -----------------------------------------------------------------------------------

    def _antecedents(self, v: int) -> list[int]:
        reason = self.reason[v]
        if reason >= 0:
            return [lit >> 1 for lit in self.p.clauses[reason] if lit >> 1 != v]
        g = ~reason
        before = self.pos[v]
        val, pos = self.val, self.pos
        if self.p.exactly_one[g]:
            # an exactly-one group forces false from the one true, and true from all the others false
            wanted = 1 if val[v] == 0 else 0
            return [w for w in self.p.groups[g] if w != v and val[w] == wanted and pos[w] < before]
        return [w for w in self.p.groups[g] if w != v and val[w] >= 0 and pos[w] < before]

    def _conflict_vars(self, conflict) -> list[int]:
        if conflict >= 0:
            return [lit >> 1 for lit in self.p.clauses[conflict]]
        g = ~conflict
        val = self.val
        vs = self.p.groups[g]
        if not self.p.allowed[g]:
            return []  # the group admits no count at all
        true = [v for v in vs if val[v] == 1]
        if len(true) > max(self.p.allowed[g]):
            return true
        free = sum(1 for v in vs if val[v] < 0)
        if len(true) + free < min(self.p.allowed[g]):
            return [v for v in vs if val[v] == 0]
        return [v for v in vs if val[v] >= 0]

    def _trace(self, stack: list[int], rules: set) -> list[int]:
        """Follow reasons back from ``stack``; returns the root variables (assumptions and decisions)."""
        seen = set()
        roots = []
        reason, clause_rule = self.reason, self.p.clause_rule
        while stack:
            v = stack.pop()
            if v in seen:
                continue
            seen.add(v)
            r = reason[v]
            if r is None:
                roots.append(v)
                continue
            if r >= 0:
                rules.add(clause_rule[r])
            stack.extend(self._antecedents(v))
        return roots

    def analyze(self, conflict) -> tuple[list[int], Explanation]:
        """The decision variables behind a conflict, and the groups and rules behind it."""
        rules = set()
        if conflict >= 0:
            rules.add(self.p.clause_rule[conflict])
        roots = self._trace(self._conflict_vars(conflict), rules)
        decisions = [v for v in roots if not self.assumed[v]]
        return decisions, Explanation([v for v in roots if self.assumed[v]], rules)

    def explain_var(self, v: int) -> Explanation:
        """Why variable ``v`` has its current (implied) value."""
        if self.reason[v] is None:
            return Explanation([v] if self.assumed[v] else ())
        rules = set()
        if self.reason[v] >= 0:
            rules.add(self.p.clause_rule[self.reason[v]])
        roots = self._trace(self._antecedents(v), rules)
        return Explanation([r for r in roots if self.assumed[r]], rules)

    # -- search -----------------------------------------------------------------------------------------

    def search(self, prefer: list[int], why: Explanation) -> bool:
        """Extend the current (propagated, conflict-free) state to a full assignment.

        ``prefer[v]`` is the value tried first for ``v``. On success the assignment stays in place (read
        ``val``; ``backtrack`` to undo it) and ``True`` is returned; otherwise the state is unchanged and
        ``why`` has gained the groups and rules behind the refutation.
        """
        return self._search(0, prefer, why) is None

    def _search(self, start: int, prefer, why):
        order, val = self.p.order, self.val
        n = len(order)
        while start < n and val[order[start]] >= 0:
            start += 1
        if start == n:
            return None
        v = order[start]
        g = self.p.var_group[v]
        if prefer[v] == 0 and self.p.exactly_one[g]:
            # settle the whole group with one decision: its preferred value first
            for w in self.p.groups[g]:
                if prefer[w] == 1 and val[w] < 0:
                    v = w
                    break
        first = prefer[v]
        blamed = set()
        for value in (first, 1 - first):
            mark = len(self.trail)
            self._assign(2 * v + (value ^ 1), None)
            conflict = self.propagate()
            if conflict is None:
                culprits = self._search(start, prefer, why)
                if culprits is None:
                    return None
            else:
                culprits, explanation = self.analyze(conflict)
                why.add(explanation)
                culprits = set(culprits)
            self.backtrack(mark)
            if v not in culprits:
                # this branch failed without v's value mattering: so would the other one
                return culprits
            culprits.discard(v)
            blamed |= culprits
        return blamed
