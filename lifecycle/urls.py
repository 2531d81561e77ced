"""The site's URLs: the apps' portals and API wired together, with the lifecycle's own actions."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from cosmo import views
from cosmo.token import TokenCreate
from lifecycle.api import OrderCancelView
from lifecycle.views import job_move_view, order_cancel_view
from orders.api import FamilyViewSet, OrderViewSet
from production.api import FactoryOeeView, NetworkView
from suppliers.api import PurchaseOrderViewSet, ScorecardView

router = DefaultRouter()
router.register("families", FamilyViewSet, basename="family")
router.register("orders", OrderViewSet, basename="order")
router.register("purchase-orders", PurchaseOrderViewSet, basename="purchase-order")

urlpatterns = [
    path("", views.home, name="home"),
    path("favicon.ico", views.favicon),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("signup/", views.signup, name="signup"),
    path("shop/orders/<str:number>/cancel/", order_cancel_view, name="order-cancel"),
    path("shop/", include("orders.urls")),
    path("supplier/", include("suppliers.urls")),
    path("planner/changes/", views.changes, name="changes"),
    path("planner/jobs/<str:number>/move/", job_move_view, name="job-move"),
    path("planner/", include("production.urls")),
    path("admin/", admin.site.urls),
    path("_nested_admin/", include("nested_admin.urls")),
    path("api/token/", TokenCreate.as_view(), name="api-token"),
    path("api/scorecard/", ScorecardView.as_view(), name="api-scorecard"),
    path("api/factories/<slug:code>/oee/", FactoryOeeView.as_view(), name="api-factory-oee"),
    path("api/network/", NetworkView.as_view(), name="api-network"),
    path("api/orders/<str:number>/cancel/", OrderCancelView.as_view(), name="api-order-cancel"),
    path("api/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script from a URL: no inline script (the CSP refuses it).
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
]
