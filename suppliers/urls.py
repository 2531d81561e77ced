from django.urls import path

from suppliers import views

app_name = "suppliers"
urlpatterns = [
    path("", views.purchase_orders, name="purchase_orders"),
    path("purchase-orders/<str:number>/", views.purchase_order_detail, name="purchase_order"),
    path("purchase-orders/<str:number>/confirm/", views.purchase_order_confirm_view, name="confirm"),
]
