"""The factory clock: every planning decision reads the time from here, never from the wall clock.

Real time, or real time sped up by COSMO_CLOCK_SPEED from COSMO_CLOCK_START, so that a demo shows a
factory week in minutes. The anchor lives in the database so that web, worker and beat processes agree.
"""

import time
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

# Each process keeps the anchor a few seconds, so that a reset in another process is seen soon.
_CACHE_SECONDS = 5.0
_cached_anchor = None
_cached_at = 0.0


def _real_now() -> datetime:
    return timezone.now()


def anchor():
    """The clock's anchor row, created from settings on first use."""
    global _cached_anchor, _cached_at
    from cosmo.models import ClockAnchor

    if _cached_anchor is not None and time.monotonic() - _cached_at < _CACHE_SECONDS:
        return _cached_anchor
    row = ClockAnchor.objects.order_by("pk").first()
    if row is None:
        real = _real_now()
        start = settings.COSMO_CLOCK_START
        factory = datetime.fromisoformat(start) if start else real
        if timezone.is_naive(factory):
            factory = timezone.make_aware(factory, dt_timezone.utc)
        try:
            with transaction.atomic():
                row = ClockAnchor.objects.create(
                    pk=1, real_anchor=real, factory_anchor=factory, speed=settings.COSMO_CLOCK_SPEED
                )
        except IntegrityError:
            row = ClockAnchor.objects.get(pk=1)
    _cached_anchor, _cached_at = row, time.monotonic()
    return row


def forget_anchor() -> None:
    """Drop this process's copy of the anchor (after the clock was reset, and between tests)."""
    global _cached_anchor
    _cached_anchor = None


def now() -> datetime:
    """The factory's current time (aware, UTC)."""
    row = anchor()
    return row.factory_anchor + (_real_now() - row.real_anchor) * row.speed


def reset(*, start: datetime | None = None, speed: float | None = None) -> None:
    """Re-anchor the clock: from now on factory time runs from `start` at `speed`."""
    from cosmo.models import ClockAnchor

    real = _real_now()
    current = now()
    ClockAnchor.objects.update_or_create(
        pk=1,
        defaults={
            "real_anchor": real,
            "factory_anchor": start or current,
            "speed": anchor().speed if speed is None else speed,
        },
    )
    forget_anchor()


def factory_duration(real: timedelta) -> timedelta:
    """How much factory time passes during `real` wall-clock time."""
    return real * anchor().speed
