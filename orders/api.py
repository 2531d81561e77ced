"""The orders API: the catalog (read) and the consumer's orders."""

import threading

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
    delivery_route,
    selection_choose,
    selection_evaluate,
    selection_size_problem,
    selection_statuses,
)
from orders.configurator import ChooseError
from orders.configurator.result import jsonable
from orders.models import CURRENCY_CHOICES, Option, OptionGroup, Order, ProductFamily, Stage
from orders.services import IdempotencyConflict, LineRequest, OrderInvalid, order_place, region_check


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
    region = serializers.CharField(
        required=False, allow_blank=True, max_length=16,
        help_text="The consumer's region (its code; default: the default region): the date is the routed factory's.",
    )


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
    factory = serializers.CharField(allow_null=True, help_text="The factory the line would be routed to (its code).")
    factory_name = serializers.CharField(allow_null=True)
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
        route = None
        if evaluation.valid:
            try:
                route = delivery_route(family, evaluation.selection, data["quantity"], region_check(data.get("region", "")))
            except OrderInvalid as invalid:
                raise ValidationError(invalid.errors) from None
        answer["promised_date"] = route.date if route else None
        answer["factory"], answer["factory_name"] = (route.factory_code, route.factory_name) if route else (None, None)
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
    region = serializers.CharField(required=False, allow_blank=True, max_length=16,
                                   help_text="The region of the address (its code); default: the default region.")
    # Refused before any line is looked at (DRF's list length comes first): an order of more lines costs no
    # more than a glance.
    lines = OrderLineInSerializer(
        many=True,
        allow_empty=False,
        max_length=settings.COSMO_ORDER_MAX_LINES,
        error_messages={"max_length": f"An order has at most {settings.COSMO_ORDER_MAX_LINES} lines."},
    )


# DRF copies a serializer's declared fields (deeply) for every instance it makes, a good part of reading an
# order's body. Each thread keeps one reader of orders: validating leaves nothing behind that the next
# request reads (the nested lines' serializer keeps the item it last validated, hence one per thread).
_order_readers = threading.local()


def order_in(data) -> dict:
    """The order's body validated by OrderInSerializer; ValidationError as `is_valid` raises it."""
    reader = getattr(_order_readers, "serializer", None)
    if reader is None:
        reader = _order_readers.serializer = OrderInSerializer()
    try:
        return reader.run_validation(data)
    except ValidationError as invalid:
        reader._errors = invalid.detail  # what `errors` words (a body of null: "No data provided")
        raise ValidationError(reader.errors) from None


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
    factory = serializers.CharField(source="factory_code", read_only=True, help_text="The factory it was routed to.")
    quoted_date = serializers.DateField(read_only=True, allow_null=True)


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
    region = serializers.SerializerMethodField()
    promised_date = serializers.DateField(read_only=True, allow_null=True)
    expected_date = serializers.DateField(read_only=True, allow_null=True)
    total = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)
    currency = serializers.ChoiceField(choices=CURRENCY_CHOICES, read_only=True)
    at_risk = serializers.BooleanField(read_only=True)
    lines = OrderLineSerializer(many=True, read_only=True)
    timeline = TimelineSerializer(many=True, read_only=True)

    def get_region(self, order) -> str | None:
        return order.region.code if order.region_id else None


# DRF copies a serializer's declared fields for every instance it makes (the largest part of writing an
# order's answer); this one's are copied once per process, and writing an answer changes none of them.
_ORDER_ANSWER = OrderSerializer()


def order_answer(order) -> dict:
    """An order as the API shows it (OrderSerializer's fields)."""
    return _ORDER_ANSWER.to_representation(order)


class OrderViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """A consumer's orders (a planner sees all). Creating accepts an Idempotency-Key header."""

    serializer_class = OrderSerializer
    lookup_field = "number"
    permission_classes = [role_permission(lambda user: user.is_consumer or user.is_planner)]
    pagination_class = NewestFirst

    def get_queryset(self):
        return Order.objects.visible_to(self.request.user).select_related("region").prefetch_related("lines__family", "timeline")

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
        data = order_in(request.data)
        key = request.headers.get("Idempotency-Key", "")
        try:
            order = order_place(
                customer=request.user,
                lines=[LineRequest(ln["family"], ln["configuration"], ln["quantity"]) for ln in data["lines"]],
                delivery_address=data["delivery_address"],
                idempotency_key=key,
                region=data.get("region", ""),
            )
        except OrderInvalid as invalid:
            raise ValidationError(invalid.errors)
        except IdempotencyConflict as conflict:
            return Response(
                {"errors": [{"field": "Idempotency-Key", "reason": str(conflict)}]},
                status=status.HTTP_422_UNPROCESSABLE_ENTITY,
            )
        if hasattr(order, "placed_lines"):  # new: answer from the rows just written, without reading them back
            _served_from(order, lines=order.placed_lines, timeline=order.placed_timeline)
        else:  # a retry: the first order as it is now
            order = get_object_or_404(self.get_queryset(), pk=order.pk)
        return Response(order_answer(order), status=status.HTTP_201_CREATED)


def _served_from(instance, **rows) -> None:
    """Make `instance.<name>.all()` answer with rows already in hand, as `prefetch_related` would."""
    cache = instance.__dict__.setdefault("_prefetched_objects_cache", {})
    for name, items in rows.items():
        queryset = getattr(instance, name).all()
        queryset._result_cache = list(items)
        queryset._prefetch_done = True
        cache[name] = queryset
