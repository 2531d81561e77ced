"""Defences that every request passes: the client's address, the lockout answer after too many failed
logins (django-axes calls it), the API throttles, and the Permissions-Policy header."""

import math

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from rest_framework.throttling import SimpleRateThrottle


def client_address(request) -> str:
    """The client's address: REMOTE_ADDR, or behind COSMO_PROXY_COUNT proxies the address the outermost of
    them saw (the same rule as the API throttles' NUM_PROXIES, so that both count the same client)."""
    proxies = settings.COSMO_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies > 0 and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-min(proxies, len(hops))]
    return request.META.get("REMOTE_ADDR", "")


def wants_json(request) -> bool:
    return request.path.startswith("/api/") or "application/json" in request.META.get("HTTP_ACCEPT", "")


def _too_many(request, reason: str, retry_after: int, template: str, context: dict) -> HttpResponse:
    if wants_json(request):
        response = JsonResponse({"errors": [{"field": None, "reason": reason}]}, status=429)
    else:
        response = render(request, template, {**context, "reason": reason}, status=429)
    response["Retry-After"] = str(max(1, retry_after))
    return response


def locked_out(request, original_response=None, credentials=None) -> HttpResponse:
    """django-axes' answer to a login refused because the username or the address failed too often."""
    minutes = math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60)
    reason = _(
        "Too many failed logins (%(limit)s) for this user or from this address: logging in is locked for "
        "%(minutes)s minutes. Wait and try again, or ask an administrator to unlock it."
    ) % {"limit": settings.AXES_FAILURE_LIMIT, "minutes": minutes}
    return _too_many(
        request, reason, int(settings.AXES_COOLOFF_TIME.total_seconds()), "registration/locked_out.html",
        {"minutes": minutes},
    )


class CosmoThrottle(SimpleRateThrottle):
    """A throttle whose rate is read from COSMO_THROTTLE_RATES when asked (not frozen at import)."""

    scope = ""

    def __init__(self):  # the rate is looked up per request in allow_request
        pass

    def allow_request(self, request, view) -> bool:
        self.rate = settings.COSMO_THROTTLE_RATES[self.scope]
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_ident(self, request) -> str:
        return client_address(request)


def throttle(scope: str, *, per_user: bool) -> type[CosmoThrottle]:
    """A throttle class for one action: counted per signed-in user, or per client address."""

    class Throttle(CosmoThrottle):
        def get_cache_key(self, request, view):
            user = getattr(request, "user", None)
            if per_user:
                if user is None or not user.is_authenticated:
                    return None
                ident = f"user-{user.pk}"
            else:
                if user is not None and user.is_authenticated:
                    return None
                ident = f"addr-{self.get_ident(request)}"
            return f"throttle:{self.scope}:{ident}"

    Throttle.scope = scope
    Throttle.__name__ = f"{scope.title().replace('_', '')}{'User' if per_user else 'Address'}Throttle"
    return Throttle


TokenThrottle = throttle("token", per_user=False)
SignupThrottle = throttle("signup", per_user=False)
OrderThrottle = throttle("order", per_user=True)


def page_throttled(request, throttle_class) -> HttpResponse | None:
    """For a page (not an API view): the 429 answer when `throttle_class` refuses the request, else None."""
    limiter = throttle_class()
    if limiter.allow_request(request, None):
        return None
    reason = _("Too many requests. Try again in %(seconds)s seconds.") % {
        "seconds": math.ceil(limiter.wait() or 1)
    }
    return _too_many(request, reason, math.ceil(limiter.wait() or 1), "throttled.html", {})


class PermissionsPolicyMiddleware:
    """Tell the browser that no page of Cosmo may use the camera, microphone, location and the like."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.COSMO_PERMISSIONS_POLICY)
        return response
