"""When an order reaches the consumer: each of its jobs arrives its shipping lane's days after its last
operation ends (done, else as planned); the order arrives with its last job. An order whose lines are
made in different factories ships when its last line arrives."""

from datetime import datetime

from orders.delivery import shipping_time
from production.models import Job, Operation


def orders_arrival(order_ids, *, exclude_factory: int | None = None) -> dict[int, datetime]:
    """Order id → when its last job arrives, from the jobs with every operation done or planned (the
    others are not counted yet). `exclude_factory`: leave that factory's jobs out (the caller has them)."""
    ends: dict[int, tuple[int, int | None, datetime | None]] = {}
    rows = Operation.objects.filter(job__order_line__order_id__in=list(order_ids)).exclude(
        job__status=Job.Status.CANCELLED
    )
    if exclude_factory is not None:
        rows = rows.exclude(job__factory_id=exclude_factory)
    unknown = set()
    for order_id, job_id, days, ended_at, planned_end in rows.values_list(
        "job__order_line__order_id", "job_id", "job__shipping_days", "ended_at", "planned_end"
    ):
        end = ended_at or planned_end
        if end is None:
            unknown.add(job_id)
            continue
        _, _, was = ends.get(job_id, (order_id, days, None))
        ends[job_id] = (order_id, days, max(was, end) if was else end)
    arrival: dict[int, datetime] = {}
    for job_id, (order_id, days, end) in ends.items():
        if job_id in unknown:
            continue
        at = end + shipping_time(days)
        arrival[order_id] = max(arrival.get(order_id, at), at)
    return arrival
