from django.urls import path

from orders import views

app_name = "orders"
urlpatterns = [
    path("", views.catalog, name="catalog"),
    path("configure/<slug:family_code>/", views.configure, name="configure"),
    path("configure/<slug:family_code>/save/", views.configuration_save, name="save"),
    path("c/<str:token>/", views.configuration_shared, name="shared"),
    path("orders/", views.my_orders, name="my_orders"),
    path("orders/<str:number>/", views.order_detail, name="detail"),
]
