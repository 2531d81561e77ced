"""The regions as the web tier's quotes and order intake read them: kept per process, like the families.

Every order names its region (or the default one), and every delivery quote routes to one: reading the
row each time was a query per request for a table that hardly ever changes. A process keeps what it read
for COSMO_QUOTE_RECHECK_SECONDS (a region changed in another process is seen that late at most, like the
catalog's families and the lines a quote is placed on) and forgets it at once when a region is saved or
deleted in this process.
"""

import threading
import time

from django.conf import settings
from django.db.models.signals import post_delete, post_save

from orders.models import Region

# Code ("" for the default region) → (when read, monotonic seconds; the region or None), per process.
_read: dict[str, tuple[float, Region | None]] = {}
_lock = threading.Lock()
_KEEP = 256


def region_recent(region) -> Region | None:
    """`Region.named` as this process read it at most COSMO_QUOTE_RECHECK_SECONDS ago: a Region is
    returned as it is, a code gives its region, nothing the default region; Region.DoesNotExist when no
    region has that code."""
    if isinstance(region, Region):
        return region
    code = str(region) if region else ""
    now = time.monotonic()
    read = _read.get(code)
    if read is None or now - read[0] >= settings.COSMO_QUOTE_RECHECK_SECONDS:
        try:
            found = Region.named(code)
        except Region.DoesNotExist:
            found = None
        with _lock:
            if len(_read) >= _KEEP:  # unknown codes are remembered too: a bound on what a client can fill
                _read.clear()
            _read[code] = read = (now, found)
    if read[1] is None and code:
        raise Region.DoesNotExist(f"no region has the code {code!r}")
    return read[1]


def regions_forget(**kwargs) -> None:
    """Forget every region read (a region saved or deleted may change which one is the default)."""
    with _lock:
        _read.clear()


def connect() -> None:
    post_save.connect(regions_forget, sender=Region, dispatch_uid="regions-forget-save")
    post_delete.connect(regions_forget, sender=Region, dispatch_uid="regions-forget-delete")
