"""The orders API: the catalog (read) and the consumer's orders."""

from django.conf import settings
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from cosmo.api import NewestFirst, role_permission
from orders.configuration import delivery_quote, selection_evaluate
from orders.models import CURRENCY_CHOICES, Option, OptionGroup, Order, ProductFamily, Stage
from orders.services import LineRequest, OrderInvalid, order_place


class OptionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Option
        fields = ["code", "name", "price", "is_default"]


class OptionGroupSerializer(serializers.ModelSerializer):
    options = serializers.SerializerMethodField()

    class Meta:
        model = OptionGroup
        fields = ["code", "name", "kind", "required", "min_count", "max_count", "minimum", "maximum", "step", "unit", "options"]

    def get_options(self, group) -> list[dict]:
        return OptionSerializer([o for o in group.options.all() if o.active], many=True).data


class FamilySerializer(serializers.ModelSerializer):
    groups = OptionGroupSerializer(many=True, read_only=True)

    class Meta:
        model = ProductFamily
        fields = ["code", "name", "description", "base_price", "currency", "groups"]


class CheckInSerializer(serializers.Serializer):
    selection = serializers.DictField(help_text="Group code → option code, list of option codes, or number.")
    quantity = serializers.IntegerField(min_value=1, max_value=settings.COSMO_MAX_LINE_QUANTITY, default=1)


class CheckSerializer(serializers.Serializer):
    """The configurator's answer (see the engine's documentation for each field)."""

    family = serializers.CharField()
    complete = serializers.BooleanField()
    valid = serializers.BooleanField()
    satisfiable = serializers.BooleanField()
    missing = serializers.ListField(child=serializers.CharField())
    errors = serializers.ListField(child=serializers.DictField())
    broken = serializers.ListField(child=serializers.DictField())
    options = serializers.DictField(child=serializers.DictField())
    numeric = serializers.DictField(child=serializers.DictField())
    price = serializers.DecimalField(max_digits=12, decimal_places=2)
    currency = serializers.CharField()
    price_lines = serializers.ListField(child=serializers.DictField())
    selection = serializers.DictField()
    variant_code = serializers.CharField(allow_null=True)
    fix = serializers.DictField(allow_null=True)
    promised_date = serializers.DateField(allow_null=True)


class FamilyViewSet(viewsets.ReadOnlyModelViewSet):
    """The product catalog."""

    serializer_class = FamilySerializer
    lookup_field = "code"
    pagination_class = None

    def get_queryset(self):
        return ProductFamily.objects.filter(active=True).prefetch_related("groups__options")

    @extend_schema(request=CheckInSerializer, responses={200: CheckSerializer})
    @action(detail=True, methods=["post"])
    def check(self, request, code=None):
        """Validate and price a (partial) selection: availability of every option with its reasons, broken
        rules, the smallest fix, the variant code, and the delivery date the factory can promise."""
        family = self.get_object()
        incoming = CheckInSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        evaluation = selection_evaluate(family, incoming.validated_data["selection"])
        answer = evaluation.as_dict()
        answer["promised_date"] = (
            delivery_quote(family, evaluation.selection, incoming.validated_data["quantity"])
            if evaluation.valid
            else None
        )
        return Response(answer)


class OrderLineInSerializer(serializers.Serializer):
    family = serializers.CharField(max_length=32)
    configuration = serializers.DictField()
    quantity = serializers.IntegerField(min_value=1, max_value=settings.COSMO_MAX_LINE_QUANTITY)


class OrderInSerializer(serializers.Serializer):
    delivery_address = serializers.CharField(max_length=500)
    # Refused before any line is looked at: an order of more lines costs no more than a glance.
    lines = OrderLineInSerializer(
        many=True,
        allow_empty=False,
        max_length=settings.COSMO_MAX_ORDER_LINES,
        error_messages={"max_length": f"An order has at most {settings.COSMO_MAX_ORDER_LINES} lines."},
    )


# The order's answer is written out field by field (not a ModelSerializer): DRF then need not inspect
# the models again for every response, a large part of an order POST's time.
class OrderLineSerializer(serializers.Serializer):
    position = serializers.IntegerField(read_only=True)
    family = serializers.CharField(source="family.code", read_only=True)
    configuration = serializers.JSONField(read_only=True)
    variant_code = serializers.CharField(read_only=True)
    quantity = serializers.IntegerField(read_only=True)
    unit_price = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)
    price_breakdown = serializers.JSONField(read_only=True)


class TimelineSerializer(serializers.Serializer):
    at = serializers.DateTimeField(read_only=True)
    stage = serializers.ChoiceField(choices=Stage.choices, read_only=True)
    event = serializers.CharField(read_only=True)
    text = serializers.CharField(read_only=True)


class OrderSerializer(serializers.Serializer):
    number = serializers.CharField(read_only=True)
    stage = serializers.ChoiceField(choices=Stage.choices, read_only=True)
    placed_at = serializers.DateTimeField(read_only=True)
    delivery_address = serializers.CharField(read_only=True)
    promised_date = serializers.DateField(read_only=True, allow_null=True)
    expected_date = serializers.DateField(read_only=True, allow_null=True)
    total = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)
    currency = serializers.ChoiceField(choices=CURRENCY_CHOICES, read_only=True)
    at_risk = serializers.BooleanField(read_only=True)
    lines = OrderLineSerializer(many=True, read_only=True)
    timeline = TimelineSerializer(many=True, read_only=True)


class OrderViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """A consumer's orders (a planner sees all). Creating accepts an Idempotency-Key header."""

    serializer_class = OrderSerializer
    lookup_field = "number"
    permission_classes = [role_permission(lambda user: user.is_consumer or user.is_planner)]
    pagination_class = NewestFirst

    def get_queryset(self):
        return Order.objects.visible_to(self.request.user).prefetch_related("lines__family", "timeline")

    @extend_schema(
        request=OrderInSerializer,
        responses={201: OrderSerializer},
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=False)],
    )
    def create(self, request):
        if not request.user.is_consumer:
            raise ValidationError({"customer": ["Only consumers place orders."]})
        incoming = OrderInSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        key = request.headers.get("Idempotency-Key", "")[:64]
        try:
            order = order_place(
                customer=request.user,
                lines=[LineRequest(ln["family"], ln["configuration"], ln["quantity"]) for ln in data["lines"]],
                delivery_address=data["delivery_address"],
                idempotency_key=key,
            )
        except OrderInvalid as invalid:
            raise ValidationError(invalid.errors)
        if hasattr(order, "placed_lines"):  # new: answer from the rows just written, without reading them back
            _served_from(order, lines=order.placed_lines, timeline=order.placed_timeline)
        else:  # a retry: the first order as it is now
            order = get_object_or_404(self.get_queryset(), pk=order.pk)
        return Response(OrderSerializer(order).data, status=status.HTTP_201_CREATED)


def _served_from(instance, **rows) -> None:
    """Make `instance.<name>.all()` answer with rows already in hand, as `prefetch_related` would."""
    cache = instance.__dict__.setdefault("_prefetched_objects_cache", {})
    for name, items in rows.items():
        queryset = getattr(instance, name).all()
        queryset._result_cache = list(items)
        queryset._prefetch_done = True
        cache[name] = queryset
