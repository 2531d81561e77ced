"""The simulated lines as publishers: a tick of the engine becomes each line's events (see
`production.telemetry` for the topic and payload), published with the line's own credentials.

`feeds` (kept in the simulation's state) holds, per line, the last sequence number used and the last state
published, so a state that goes on across ticks is not published again.
"""

from __future__ import annotations

import json

from production import simulation as sim
from production.models import Factory
from production.mqtt import client_connect, line_account, publish_all
from production.telemetry import topic_for

# At one moment: an operation ends, then the line's new state, then the next operation starts, then the meter.
_ORDER = {"op_finished": 0, "state": 1, "op_started": 2, "energy": 3}


def line_events(model, tick: sim.Tick, code: str, last: list | None) -> tuple[list[tuple[float, dict]], list | None]:
    """(minutes, event without its numbers) of one line in the tick, in the order they happened."""
    events: list[tuple[float, int, dict]] = []
    for iv in tick.intervals:
        if iv.line != code or iv.end <= iv.start:
            continue
        key = [iv.state, iv.reason, iv.op]
        if key != last:
            op = int(iv.op) if iv.op is not None else None
            events.append((iv.start, _ORDER["state"], {"type": "state", "state": iv.state, "reason": iv.reason, "operation": op}))
            last = key
    for record in tick.ops:
        if record.line != code or record.op not in model.operations:
            continue
        if record.start >= tick.start:
            events.append((record.start, _ORDER["op_started"], {"type": "op_started", "operation": int(record.op)}))
        if record.end is not None:
            events.append(
                (record.end, _ORDER["op_finished"], {
                    "type": "op_finished", "operation": int(record.op), "good": record.good, "scrap": record.scrap,
                })
            )
    events.sort(key=lambda e: (e[0], e[1]))
    return [(t, e) for t, _, e in events], last


def tick_publish(*, factory: Factory, model, tick: sim.Tick, feeds: dict, meters: dict[str, float]) -> int:
    """Publish every simulated line's events of the tick and its energy meter at the tick's end; returns
    how many messages went out. `feeds` is updated in place."""
    sent = 0
    for code, line in model.lines.items():
        if code in model.reported:
            continue
        feed = feeds.setdefault(code, {"seq": 0, "last": None})
        events, last = line_events(model, tick, code, feed["last"])
        events.append((tick.until, {"type": "energy", "meter_kwh": round(meters.get(code, 0.0), 4)}))
        seq = feed["seq"]
        messages = []
        for minutes, event in events:
            seq += 1
            payload = {"v": 1, "factory": factory.code, "line": code, "seq": seq, "at": model.at(minutes).isoformat()}
            messages.append((topic_for(factory.code, code), json.dumps(payload | event).encode()))
        account = line_account(line)
        client = client_connect(account, client_id=f"{account}-sim")
        try:
            publish_all(client, messages)
        finally:
            client.disconnect()
        feed["seq"], feed["last"] = seq, last
        sent += len(messages)
    return sent
