"""The supplier API: a member's purchase orders, and confirming one (token or session authentication)."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from cosmo.api import NewestFirst, role_permission
from suppliers.actions import TransitionRefused, purchase_order_confirm
from suppliers.models import PurchaseOrder, PurchaseOrderLine


class PurchaseOrderLineSerializer(serializers.ModelSerializer):
    part = serializers.SlugRelatedField(slug_field="code", read_only=True)
    unit = serializers.CharField(source="part.unit", read_only=True)

    class Meta:
        model = PurchaseOrderLine
        fields = ["part", "unit", "quantity", "price", "expected_date", "promised_date"]


class PurchaseOrderSerializer(serializers.ModelSerializer):
    supplier = serializers.SlugRelatedField(slug_field="code", read_only=True)
    lines = PurchaseOrderLineSerializer(many=True, read_only=True)

    class Meta:
        model = PurchaseOrder
        fields = ["number", "supplier", "status", "currency", "created_at", "confirmed_at", "lines"]


class PurchaseOrderViewSet(viewsets.ReadOnlyModelViewSet):
    """Purchase orders of the member's supplier (a planner sees all)."""

    serializer_class = PurchaseOrderSerializer
    lookup_field = "number"
    permission_classes = [role_permission(lambda user: user.is_supplier_member or user.is_planner)]
    pagination_class = NewestFirst

    def get_queryset(self):
        return PurchaseOrder.objects.visible_to(self.request.user).select_related("supplier").prefetch_related(
            "lines__part"
        )

    @extend_schema(request=None, responses={200: PurchaseOrderSerializer})
    @action(detail=True, methods=["post"])
    def confirm(self, request, number=None):
        if not request.user.is_supplier_member:
            raise NotFound()  # only the supplier itself confirms its purchase orders
        po = get_object_or_404(self.get_queryset(), number=number)
        try:
            purchase_order_confirm(purchase_order_id=po.pk)
        except TransitionRefused as refused:
            raise ValidationError({"status": [str(refused)]})
        return Response(PurchaseOrderSerializer(self.get_queryset().get(pk=po.pk)).data)
