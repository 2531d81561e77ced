"""The factory's time-of-day electricity tariff (`TariffBand`) and what energy costs under it.

Bands are kept as minutes of the factory's local day, `[(start, end, price), ...]`, a band running past
midnight split in two; a minute no band covers costs `FLAT_PRICE_KWH`. Plain functions over plain data.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

# What a kWh costs where the factory has no tariff band (the catalog's currency).
FLAT_PRICE_KWH = 0.15

Bands = list[tuple[int, int, float]]


def day_bands(rows) -> Bands:
    """`(start time, end time, price)` rows as minutes of the day, sorted; a band past midnight in two."""
    bands: Bands = []
    for start, end, price in rows:
        a, b, p = start.hour * 60 + start.minute, end.hour * 60 + end.minute, float(price)
        if b > a:
            bands.append((a, b, p))
        else:
            bands += [(a, 1440, p), (0, b, p)] if b else [(a, 1440, p)]
    return sorted(bands)


def factory_bands(factory) -> Bands:
    return day_bands(factory.tariff_bands.values_list("start", "end", "price_kwh"))


def price_at(bands: Bands, minute_of_day: float) -> tuple[float, float]:
    """The price at a minute of the day and the minute of the day it holds until."""
    following = 1440.0
    for a, b, price in bands:
        if a <= minute_of_day < b:
            return price, float(b)
        if a > minute_of_day:
            following = min(following, a)
    return FLAT_PRICE_KWH, following


def energy_cost(start: datetime, end: datetime, kw: float, bands: Bands, tz: ZoneInfo) -> float:
    """What drawing `kw` from `start` to `end` costs under the tariff (each stretch at its band's price)."""
    if kw <= 0 or end <= start:
        return 0.0
    cost = 0.0
    t = start
    while t < end:
        local = t.astimezone(tz)
        minute = local.hour * 60 + local.minute + local.second / 60
        price, until = price_at(bands, minute)
        step = min(end, t + timedelta(minutes=until - minute))
        cost += kw * (step - t).total_seconds() / 3600 * price
        t = step
    return cost
