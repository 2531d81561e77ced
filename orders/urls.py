from django.urls import path

from orders import views

app_name = "orders"
urlpatterns = [
    path("", views.catalog, name="catalog"),
    path("order/<slug:family_code>/", views.order_new, name="new"),
    path("orders/", views.my_orders, name="my_orders"),
    path("orders/<str:number>/", views.order_detail, name="detail"),
]
