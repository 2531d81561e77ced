from django.urls import path

from suppliers import views

app_name = "suppliers"
urlpatterns = [
    path("", views.purchase_orders, name="purchase_orders"),
    path("scorecard/", views.scorecard, name="scorecard"),
    path("purchase-orders.csv", views.purchase_orders_csv, name="csv"),
    path("api-token/", views.api_token, name="api_token"),
    path("purchase-orders/<str:number>/", views.purchase_order_detail, name="purchase_order"),
    path("purchase-orders/<str:number>/confirm/", views.purchase_order_confirm_view, name="confirm"),
    path("purchase-orders/<str:number>/ship/", views.ship_view, name="ship"),
    path("purchase-orders/<str:number>/lines/<str:part>/confirm/", views.line_confirm_view, name="confirm_line"),
    path("purchase-orders/<str:number>/lines/<str:part>/reject/", views.line_reject_view, name="reject_line"),
]
