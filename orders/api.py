"""The orders API: the catalog (read) and the consumer's orders."""

from django.conf import settings
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from cosmo.api import NewestFirst, role_permission
from cosmo.security import OrderThrottle
from orders.configuration import (
    delivery_quote,
    selection_choose,
    selection_evaluate,
    selection_size_problem,
    selection_statuses,
)
from orders.configurator import ChooseError
from orders.configurator.result import jsonable
from orders.models import (
    Option,
    OptionGroup,
    Order,
    OrderLine,
    ProductFamily,
    TimelineEntry,
)
from orders.services import IdempotencyConflict, LineRequest, OrderInvalid, order_place


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


class SelectionField(serializers.DictField):
    """Group code → answer, refused whole when it has more answers than any family has groups."""

    def to_internal_value(self, data):
        selection = super().to_internal_value(data)
        too_large = selection_size_problem(selection)
        if too_large:
            raise ValidationError(too_large)
        return selection


def quantity_field(**kwargs):
    return serializers.IntegerField(min_value=1, max_value=settings.COSMO_ORDER_MAX_QUANTITY, **kwargs)


class CheckInSerializer(serializers.Serializer):
    selection = SelectionField(help_text="Group code → option code, list of option codes, or number.")
    quantity = quantity_field(default=1)
    chosen = serializers.ListField(
        child=serializers.CharField(), default=list,
        help_text="The groups the consumer answered, oldest first (any other answer is a default).",
    )
    choose = serializers.CharField(
        required=False,
        help_text="An option code to choose (or a numeric group's code, with `value`): the answer is the "
        "selection that contains it with the fewest changes, defaults first, then older choices.",
    )
    value = serializers.CharField(required=False, help_text="The number to choose for the numeric group `choose`.")


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
    option_status = serializers.DictField(
        child=serializers.DictField(),
        help_text="Option code → status (fits, fits_with_changes, impossible), the changes it needs, why not.",
    )
    choice = serializers.DictField(
        allow_null=True, help_text="With `choose`: what was chosen, the changes made and the new `chosen` order."
    )


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
        data = incoming.validated_data
        selection, chosen, choice = data["selection"], data["chosen"], None
        if data.get("choose"):
            try:
                choice = selection_choose(family, selection, data["choose"], chosen, value=data.get("value"))
            except ChooseError as error:
                raise ValidationError({"choose": [str(error)]}) from None
            if choice.selection is not None:
                selection, chosen = choice.selection, list(choice.chosen)
        evaluation = selection_evaluate(family, selection)
        answer = evaluation.as_dict()
        answer["promised_date"] = delivery_quote(family, evaluation.selection, data["quantity"]) if evaluation.valid else None
        statuses = selection_statuses(family, selection, chosen, evaluation)
        answer["option_status"] = {
            code: {
                "status": status.status,
                "changes": [change.__dict__ for change in status.changes],
                "messages": list(status.messages),
            }
            for code, status in statuses.items()
        }
        answer["choice"] = choice.as_dict() if choice else None
        return Response(jsonable(answer))


class OrderLineInSerializer(serializers.Serializer):
    family = serializers.CharField(max_length=32)
    configuration = SelectionField()
    quantity = quantity_field()


class OrderInSerializer(serializers.Serializer):
    delivery_address = serializers.CharField(max_length=settings.COSMO_ORDER_MAX_ADDRESS)
    # The number of lines is checked before any line is (DRF's list length comes first).
    lines = OrderLineInSerializer(many=True, allow_empty=False, max_length=settings.COSMO_ORDER_MAX_LINES)


class OrderLineSerializer(serializers.ModelSerializer):
    family = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = OrderLine
        fields = ["position", "family", "configuration", "variant_code", "quantity", "unit_price", "price_breakdown"]


class TimelineSerializer(serializers.ModelSerializer):
    text = serializers.CharField(read_only=True)

    class Meta:
        model = TimelineEntry
        fields = ["at", "stage", "event", "text"]


class OrderSerializer(serializers.ModelSerializer):
    lines = OrderLineSerializer(many=True, read_only=True)
    timeline = TimelineSerializer(many=True, read_only=True)

    class Meta:
        model = Order
        fields = [
            "number",
            "stage",
            "placed_at",
            "delivery_address",
            "promised_date",
            "expected_date",
            "total",
            "currency",
            "at_risk",
            "lines",
            "timeline",
        ]


class OrderViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """A consumer's orders (a planner sees all). Creating accepts an Idempotency-Key header."""

    serializer_class = OrderSerializer
    lookup_field = "number"
    permission_classes = [role_permission(lambda user: user.is_consumer or user.is_planner)]
    pagination_class = NewestFirst

    def get_queryset(self):
        return Order.objects.visible_to(self.request.user).prefetch_related("lines__family", "timeline")

    def get_throttles(self):
        # Placing orders is throttled per consumer (429 with Retry-After); reading is not.
        return [OrderThrottle()] if self.action == "create" else []

    @extend_schema(
        request=OrderInSerializer,
        responses={
            201: OrderSerializer,
            400: OpenApiResponse(description='Bad input: {"errors": [{"field": …, "reason": …}]}, nothing placed.'),
            422: OpenApiResponse(description="The Idempotency-Key was used for a different order."),
        },
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                str,
                OpenApiParameter.HEADER,
                required=False,
                description=(
                    f"At most {settings.COSMO_IDEMPOTENCY_KEY_MAX} printable ASCII characters; a retry with the "
                    "same body returns the first order, the same key with another body is refused (422)."
                ),
            )
        ],
    )
    def create(self, request):
        if not request.user.is_consumer:
            raise ValidationError({"customer": ["Only consumers place orders."]})
        incoming = OrderInSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        key = request.headers.get("Idempotency-Key", "")
        try:
            order = order_place(
                customer=request.user,
                lines=[LineRequest(ln["family"], ln["configuration"], ln["quantity"]) for ln in data["lines"]],
                delivery_address=data["delivery_address"],
                idempotency_key=key,
            )
        except OrderInvalid as invalid:
            raise ValidationError(invalid.errors)
        except IdempotencyConflict as conflict:
            return Response(
                {"errors": [{"field": "Idempotency-Key", "reason": str(conflict)}]},
                status=status.HTTP_422_UNPROCESSABLE_ENTITY,
            )
        order = get_object_or_404(self.get_queryset(), pk=order.pk)
        return Response(OrderSerializer(order).data, status=status.HTTP_201_CREATED)
