"""Every time a person reads carries its time zone: `{{ moment|zoned }}` (the active zone, which the staff
pages set to the factory's) or `{{ moment|zoned:"Asia/Shanghai" }}`; `zoned_day` for a date alone."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django import template
from django.utils import timezone
from django.utils.html import format_html

register = template.Library()


def _zone(zone) -> ZoneInfo:
    if zone in (None, ""):
        return timezone.get_current_timezone()
    return zone if isinstance(zone, ZoneInfo) else ZoneInfo(str(zone))


def _label(value: datetime, zone: ZoneInfo, shown: str) -> str:
    local = timezone.localtime(value, zone)
    return format_html(
        '<time datetime="{}" title="{}">{} <abbr class="tz" title="{}">{}</abbr></time>',
        value.isoformat(), zone.key, shown, zone.key, local.tzname(),
    )


@register.filter
def zoned(value, zone=None) -> str:
    """The moment as `YYYY-MM-DD HH:MM` in the zone, followed by the zone's abbreviation."""
    if not isinstance(value, datetime):
        return "—" if value in (None, "") else str(value)
    zone = _zone(zone)
    return _label(value, zone, timezone.localtime(value, zone).strftime("%Y-%m-%d %H:%M"))


@register.filter
def zoned_day(value, zone=None) -> str:
    """The moment's day in the zone, followed by the zone's abbreviation."""
    if not isinstance(value, datetime):
        return "—" if value in (None, "") else str(value)
    zone = _zone(zone)
    return _label(value, zone, timezone.localtime(value, zone).strftime("%Y-%m-%d"))
