"""The production API: `GET /api/factories/<code>/oee/?from=&to=` and `GET /api/network/` (planners)."""

from datetime import datetime, time, timedelta

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from cosmo import clock
from cosmo.api import role_permission
from production.models import Factory, FactorySimulation, JobMove
from production.network import as_json, network_figures
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


class NetworkLineLoadSerializer(serializers.Serializer):
    code = serializers.CharField()
    scheduled_hours = serializers.FloatField()
    capacity_hours = serializers.FloatField()
    load = serializers.FloatField(allow_null=True, help_text="percent")


class NetworkOrderAtRiskSerializer(serializers.Serializer):
    number = serializers.CharField()
    promised = serializers.DateField(allow_null=True)
    expected = serializers.DateField(allow_null=True)


class NetworkFactorySerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    time_zone = serializers.CharField()
    scheduled_hours = serializers.FloatField(help_text="operations' hours over the coming week")
    capacity_hours = serializers.FloatField(help_text="the lines' working hours over the coming week")
    load = serializers.FloatField(allow_null=True, help_text="percent")
    lines = NetworkLineLoadSerializer(many=True)
    jobs = serializers.IntegerField()
    on_time_rate = serializers.FloatField(allow_null=True, help_text="percent of the plan's jobs")
    changeover_hours = serializers.FloatField()
    energy_from = serializers.DateTimeField()
    energy_to = serializers.DateTimeField()
    energy_kwh = serializers.FloatField()
    units = serializers.IntegerField(help_text="good units finished between energy_from and energy_to")
    kwh_per_unit = serializers.FloatField(allow_null=True)
    orders_at_risk = serializers.IntegerField()
    at_risk = NetworkOrderAtRiskSerializer(many=True, help_text="the first of them, earliest promise first")


class NetworkMoveSerializer(serializers.Serializer):
    job = serializers.CharField()
    order = serializers.CharField()
    from_factory = serializers.CharField()
    to_factory = serializers.CharField()
    reason = serializers.ChoiceField(choices=JobMove.Reason.choices)
    reason_text = serializers.CharField()
    note = serializers.CharField()
    at = serializers.DateTimeField()
    time_zone = serializers.CharField(help_text="the zone of the factory the job moved to")
    by = serializers.CharField(allow_null=True, help_text="the planner's username; null: Cosmo itself")
    promised_before = serializers.DateField(allow_null=True)
    promised_after = serializers.DateField(allow_null=True)


class NetworkSerializer(serializers.Serializer):
    now = serializers.DateTimeField()
    factories = NetworkFactorySerializer(many=True)
    moves = NetworkMoveSerializer(many=True)


class NetworkView(APIView):
    """Every factory's load, on-time rate, changeover hours, energy and orders at risk, and the jobs moved
    between factories: the figures of the planner's network page (`production/network.py`)."""

    permission_classes = [role_permission(lambda user: user.is_planner)]

    @extend_schema(responses={200: NetworkSerializer}, operation_id="network", tags=["production"])
    def get(self, request):
        return Response(as_json(network_figures()))
