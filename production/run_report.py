"""A schedule run told in the planner's words: how the solver's answer is rated, and what got better in
the order the objective ranks it (weighted lateness first, then changeover time, then the end of the
last job), with a word on why a count can rise while the schedule improves."""

from django.utils.translation import gettext as _

SOLVER_WORDS = {
    "OPTIMAL": _("the best plan possible (proved)"),
    "FEASIBLE": _("the best plan found within the time limit"),
    "EMPTY": _("nothing to plan"),
    "INFEASIBLE": _("no plan fits the constraints"),
    "UNKNOWN": _("no plan found within the time limit"),
}

# (KPI key, what it measures, unit) in the objective's order.
OBJECTIVE_ORDER = [
    ("weighted_lateness_hours", _("weighted lateness (hours late × priority)"), "h"),
    ("changeover_hours", _("changeover time"), "h"),
    ("makespan_hours", _("time until the last job ends"), "h"),
]


def solver_words(status: str) -> str:
    return SOLVER_WORDS.get(status, status.lower().replace("_", " "))


def _change(before, after) -> str:
    if before == after:
        return "same"
    return "better" if after < before else "worse"


def run_report(run) -> dict:
    """{"verdict": one sentence, "rows": [(what, before, after, better/worse/same)], "note": str | ""}."""
    before, after = run.kpis_before or {}, run.kpis_after or {}
    rows = []
    for key, label, unit in OBJECTIVE_ORDER:
        if key in before and key in after:
            rows.append((label, f"{before[key]} {unit}", f"{after[key]} {unit}", _change(before[key], after[key])))
    if "late_jobs" in before and "late_jobs" in after:
        rows.append((_("late jobs (a count, not the aim)"), before["late_jobs"], after["late_jobs"],
                     _change(before["late_jobs"], after["late_jobs"])))
    first = next((row for row in rows if row[3] != "same"), None)
    if first is None:
        verdict = _("The plan was already as good as the solver could make it; nothing had to change.")
    elif first[3] == "better":
        verdict = _("Better where it counts first: %(what)s went from %(before)s to %(after)s.") % {
            "what": first[0], "before": first[1], "after": first[2]}
    else:
        verdict = _("The plan moved with the floor: %(what)s went from %(before)s to %(after)s.") % {
            "what": first[0], "before": first[1], "after": first[2]}
    note = ""
    late_before, late_after = before.get("late_jobs"), after.get("late_jobs")
    lateness = before.get("weighted_lateness_hours"), after.get("weighted_lateness_hours")
    if late_before is not None and late_after is not None and late_after > late_before and None not in lateness \
            and lateness[1] <= lateness[0]:
        note = _(
            "More jobs are late (%(before)s → %(after)s) but by less in all, weighted by priority: Cosmo lowers "
            "the total lateness first, so several jobs a little late beat one job very late."
        ) % {"before": late_before, "after": late_after}
    return {"verdict": verdict, "rows": rows, "note": note}
