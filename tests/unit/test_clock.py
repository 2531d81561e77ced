"""The factory clock: real time sped up from a chosen start, shared by every process through the database."""

from datetime import datetime, timedelta, timezone

import pytest

from cosmo import clock
from cosmo.models import ClockAnchor

pytestmark = pytest.mark.django_db


def test_it_runs_faster_than_real_time_by_the_configured_factor(settings, monkeypatch):
    settings.COSMO_CLOCK_SPEED = 60.0
    settings.COSMO_CLOCK_START = "2030-01-07T08:00:00+00:00"
    real = datetime(2026, 1, 1, 12, 0, tzinfo=timezone.utc)
    monkeypatch.setattr(clock, "_real_now", lambda: real)
    assert clock.now() == datetime(2030, 1, 7, 8, 0, tzinfo=timezone.utc)
    monkeypatch.setattr(clock, "_real_now", lambda: real + timedelta(minutes=2))
    # Two real minutes are two factory hours.
    assert clock.now() == datetime(2030, 1, 7, 10, 0, tzinfo=timezone.utc)


def test_it_keeps_one_anchor_for_every_process(settings):
    settings.COSMO_CLOCK_SPEED = 10.0
    first = clock.now()
    clock.forget_anchor()  # as another process would start
    second = clock.now()
    assert ClockAnchor.objects.count() == 1
    assert timedelta(0) <= second - first < timedelta(seconds=10)


def test_it_can_be_reset_to_another_start_and_speed(monkeypatch):
    real = datetime(2026, 1, 1, tzinfo=timezone.utc)
    monkeypatch.setattr(clock, "_real_now", lambda: real)
    clock.reset(start=datetime(2031, 5, 1, tzinfo=timezone.utc), speed=3600)
    monkeypatch.setattr(clock, "_real_now", lambda: real + timedelta(seconds=1))
    assert clock.now() == datetime(2031, 5, 1, 1, 0, tzinfo=timezone.utc)
