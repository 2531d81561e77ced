"""The supplier API, for suppliers' own systems (token or session authentication): a member's purchase
orders; confirming or rejecting a line; shipping; the scorecard. The same service functions as the portal."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from cosmo.api import NewestFirst, role_permission
from suppliers.actions import ActionRefused, line_confirm, line_reject, purchase_order_confirm, shipment_create
from suppliers.models import PurchaseOrder, PurchaseOrderLine, Shipment, ShipmentLine
from suppliers.scorecard import supplier_scorecard

PART_CODE = r"[^/]+"


class PurchaseOrderLineSerializer(serializers.ModelSerializer):
    part = serializers.SlugRelatedField(slug_field="code", read_only=True)
    unit = serializers.CharField(source="part.unit", read_only=True)

    class Meta:
        model = PurchaseOrderLine
        fields = [
            "part", "unit", "status", "quantity", "price", "expected_date", "promised_date", "answered_at",
            "rejected_quantity", "reject_reason", "shipped_quantity", "received_quantity",
        ]


class ShipmentLineSerializer(serializers.ModelSerializer):
    part = serializers.CharField(source="po_line.part.code", read_only=True)

    class Meta:
        model = ShipmentLine
        fields = ["part", "quantity", "received_quantity"]


class ShipmentSerializer(serializers.ModelSerializer):
    lines = ShipmentLineSerializer(many=True, read_only=True)

    class Meta:
        model = Shipment
        fields = ["number", "status", "shipped_at", "expected_arrival", "received_at", "lines"]


class PurchaseOrderSerializer(serializers.ModelSerializer):
    supplier = serializers.SlugRelatedField(slug_field="code", read_only=True)
    lines = PurchaseOrderLineSerializer(many=True, read_only=True)
    shipments = ShipmentSerializer(many=True, read_only=True)

    class Meta:
        model = PurchaseOrder
        fields = ["number", "supplier", "status", "currency", "created_at", "confirmed_at", "lines", "shipments"]


class LineConfirmSerializer(serializers.Serializer):
    quantity = serializers.DecimalField(max_digits=14, decimal_places=3, required=False,
                                        help_text="What you confirm (default: the whole line).")
    promised_date = serializers.DateField(required=False, help_text="When it arrives (default: the expected date).")


class LineRejectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=240)


class ShipmentLineInSerializer(serializers.Serializer):
    part = serializers.CharField(max_length=32)
    quantity = serializers.DecimalField(max_digits=14, decimal_places=3)


class ShipmentInSerializer(serializers.Serializer):
    expected_arrival = serializers.DateField()
    lines = ShipmentLineInSerializer(many=True, allow_empty=False)


class ScorecardSerializer(serializers.Serializer):
    supplier = serializers.CharField()
    deliveries = serializers.IntegerField()
    on_time_rate = serializers.FloatField(allow_null=True)
    confirmation_latency_hours = serializers.FloatField(allow_null=True)
    rejection_rate = serializers.FloatField(allow_null=True)
    open_value = serializers.DictField(child=serializers.DecimalField(max_digits=16, decimal_places=2))


def _refused(refused: ActionRefused):
    return ValidationError(refused.errors)


def _member_only(request):
    if not request.user.is_supplier_member:
        raise NotFound()  # only the supplier itself acts on its purchase orders


class PurchaseOrderViewSet(viewsets.ReadOnlyModelViewSet):
    """Purchase orders of the member's supplier (a planner sees all). `?status=sent` is the inbox."""

    serializer_class = PurchaseOrderSerializer
    lookup_field = "number"
    permission_classes = [role_permission(lambda user: user.is_supplier_member or user.is_planner)]
    pagination_class = NewestFirst

    def get_queryset(self):
        queryset = PurchaseOrder.objects.visible_to(self.request.user).select_related("supplier").prefetch_related(
            "lines__part", "shipments__lines__po_line__part"
        )
        status = self.request.query_params.get("status")
        if status:
            queryset = queryset.filter(status=status)
        return queryset

    @extend_schema(parameters=[OpenApiParameter("status", str, enum=PurchaseOrder.Status.values)])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def _answer(self, number):
        return Response(PurchaseOrderSerializer(self.get_queryset().get(number=number)).data)

    def _line(self, number, part) -> PurchaseOrderLine:
        _member_only(self.request)
        po = get_object_or_404(self.get_queryset(), number=number)
        return get_object_or_404(PurchaseOrderLine, purchase_order=po, part__code=part)

    @extend_schema(request=None, responses={200: PurchaseOrderSerializer})
    @action(detail=True, methods=["post"])
    def confirm(self, request, number=None):
        """Confirm every line awaiting an answer, whole, by its expected date."""
        _member_only(request)
        po = get_object_or_404(self.get_queryset(), number=number)
        try:
            purchase_order_confirm(purchase_order_id=po.pk, actor=request.user)
        except ActionRefused as refused:
            raise _refused(refused)
        return self._answer(number)

    @extend_schema(request=LineConfirmSerializer, responses={200: PurchaseOrderSerializer})
    @action(detail=True, methods=["post"], url_path=f"lines/(?P<part>{PART_CODE})/confirm")
    def confirm_line(self, request, number=None, part=None):
        """Confirm one line, all of it or part, by a promised date; the rest is re-sourced."""
        line = self._line(number, part)
        incoming = LineConfirmSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            line_confirm(po_line_id=line.pk, **incoming.validated_data, actor=request.user)
        except ActionRefused as refused:
            raise _refused(refused)
        return self._answer(number)

    @extend_schema(request=LineRejectSerializer, responses={200: PurchaseOrderSerializer})
    @action(detail=True, methods=["post"], url_path=f"lines/(?P<part>{PART_CODE})/reject")
    def reject_line(self, request, number=None, part=None):
        """Reject one line with a reason; Cosmo re-sources it to the next best offer."""
        line = self._line(number, part)
        incoming = LineRejectSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            line_reject(po_line_id=line.pk, reason=incoming.validated_data["reason"], actor=request.user)
        except ActionRefused as refused:
            raise _refused(refused)
        return self._answer(number)

    @extend_schema(request=ShipmentInSerializer, responses={201: ShipmentSerializer})
    @action(detail=True, methods=["post"])
    def ship(self, request, number=None):
        """Ship confirmed quantity: the lines and the expected arrival."""
        _member_only(request)
        po = get_object_or_404(self.get_queryset(), number=number)
        incoming = ShipmentInSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        try:
            shipment = shipment_create(
                purchase_order_id=po.pk,
                expected_arrival=data["expected_arrival"],
                lines=[(line["part"], line["quantity"]) for line in data["lines"]],
                actor=request.user,
            )
        except ActionRefused as refused:
            raise _refused(refused)
        return Response(ShipmentSerializer(shipment).data, status=201)


class ScorecardView(APIView):
    """The member's supplier: on-time rate, confirmation latency, rejection rate, open value."""

    permission_classes = [role_permission(lambda user: user.is_supplier_member)]

    @extend_schema(responses={200: ScorecardSerializer})
    def get(self, request):
        membership = getattr(request.user, "supplier_membership", None)
        if membership is None:
            raise NotFound(_("You are not a member of a supplier."))
        card = supplier_scorecard(membership.supplier)
        latency = card.confirmation_latency
        return Response(
            ScorecardSerializer(
                {
                    "supplier": membership.supplier.code,
                    "deliveries": card.deliveries,
                    "on_time_rate": card.on_time_rate,
                    "confirmation_latency_hours": latency.total_seconds() / 3600 if latency is not None else None,
                    "rejection_rate": card.rejection_rate,
                    "open_value": card.open_value,
                }
            ).data
        )
