"""The production API: `GET /api/factories/<code>/oee/?from=&to=` (planners)."""

from datetime import datetime, time, timedelta

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from cosmo import clock
from cosmo.api import role_permission
from production.models import Factory, FactorySimulation
from production.oee import factory_oee

MAX_DAYS = 366


def _moment(value: str, name: str, tz) -> datetime:
    """A date (its start, in the factory's time) or a date-time (naive: the factory's time)."""
    try:
        moment = datetime.fromisoformat(value)
        if len(value) == 10:
            moment = datetime.combine(moment.date(), time())
        return timezone.make_aware(moment, tz) if timezone.is_naive(moment) else moment
    except (ValueError, OverflowError):
        raise ValidationError({name: ["a date (YYYY-MM-DD) or an ISO 8601 date-time is required"]}) from None


def oee_period(factory: Factory, params) -> tuple[datetime, datetime]:
    """[from, to) from the query (`from`, `to`); by default the last 7 days up to the floor's latest record."""
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(factory.timezone)
    simulation = FactorySimulation.objects.filter(factory=factory).first()
    now = simulation.until if simulation else clock.now()
    end = _moment(params["to"], "to", tz) if params.get("to") else now
    try:
        start = _moment(params["from"], "from", tz) if params.get("from") else end - timedelta(days=7)
    except OverflowError:
        raise ValidationError({"to": ["is too early"]}) from None
    if end <= start:
        raise ValidationError({"to": ["must be after from"]})
    if end - start > timedelta(days=MAX_DAYS):
        raise ValidationError({"to": [f"the period may be at most {MAX_DAYS} days"]})
    return start, end


class FactoryOeeView(APIView):
    """OEE (ISO 22400) of the factory and of each line over a period, with the time lost per cause."""

    permission_classes = [role_permission(lambda user: user.is_planner)]

    @extend_schema(
        parameters=[
            OpenApiParameter("from", OpenApiTypes.STR, description="date or date-time (default: 7 days before to)"),
            OpenApiParameter("to", OpenApiTypes.STR, description="date or date-time (default: the floor's now)"),
        ],
        responses={200: OpenApiTypes.OBJECT},
        operation_id="factories_oee",
        tags=["production"],
    )
    def get(self, request, code):
        factory = get_object_or_404(Factory, code=code)
        start, end = oee_period(factory, request.query_params)
        total, lines = factory_oee(factory, start, end)
        return Response(
            {
                "factory": factory.code,
                "from": start.isoformat(),
                "to": end.isoformat(),
                **{k: v for k, v in total.as_dict().items() if k != "line"},
                "lines": [o.as_dict() for o in lines],
            }
        )
