"""The API's lifecycle action: `POST /api/orders/<number>/cancel/` (the consumer's own orders)."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from cosmo.api import role_permission
from lifecycle.cancel import NotCancellable, order_cancel
from orders.api import OrderSerializer
from orders.models import Order


class OrderCancelView(APIView):
    """Cancel the order, until production starts."""

    permission_classes = [role_permission(lambda user: user.is_consumer)]

    @extend_schema(request=None, responses={200: OrderSerializer}, operation_id="orders_cancel", tags=["orders"])
    def post(self, request, number):
        orders = Order.objects.visible_to(request.user).prefetch_related("lines__family", "timeline")
        order = get_object_or_404(orders, number=number)
        try:
            order_cancel(order.pk, actor=request.user)
        except NotCancellable as refused:
            raise ValidationError({"stage": [str(refused)]})
        return Response(OrderSerializer(orders.get(pk=order.pk)).data)
