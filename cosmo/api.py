"""API plumbing shared by every app: one error format, naming each field and the reason."""

from rest_framework import exceptions, pagination, permissions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from cosmo.retry import is_conflict


def flatten_errors(detail, prefix: str = "") -> list[dict]:
    """Turn DRF's nested error detail into a flat list of {"field", "reason"}."""
    if isinstance(detail, dict):
        items = []
        for key, value in detail.items():
            if isinstance(key, int):  # the errors of a list of objects, by position
                field = f"{prefix}[{key}]"
            elif key == "non_field_errors":
                field = prefix
            else:
                field = f"{prefix}.{key}" if prefix else key
            items.extend(flatten_errors(value, field))
        return items
    if isinstance(detail, list):
        if all(not isinstance(v, (dict, list)) for v in detail):
            return [{"field": prefix or None, "reason": str(v)} for v in detail]
        items = []
        for index, value in enumerate(detail):
            if value:
                items.extend(flatten_errors(value, f"{prefix}[{index}]"))
        return items
    return [{"field": prefix or None, "reason": str(detail)}]


def exception_handler(exc, context):
    if is_conflict(exc):  # a deadlock lost even after its retries: the client may simply try again
        response = Response(
            {"errors": [{"field": None, "reason": "Busy with the same rows right now; try again in a moment."}]},
            status=503,
        )
        response["Retry-After"] = "1"
        return response
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, exceptions.ValidationError):
        response.data = {"errors": flatten_errors(exc.detail)}
    elif response is not None and isinstance(exc, (exceptions.ParseError, exceptions.Throttled)):
        # A body that is not JSON at all (no field to name), or a 429 with Retry-After (set by DRF): the reason
        # says what was wrong, in the one error format.
        response.data = {"errors": [{"field": None, "reason": str(exc.detail)}]}
    return response


def role_permission(check):
    """A DRF permission for one role: anyone else gets a 404, never a 403 that confirms the endpoint."""

    class RolePermission(permissions.BasePermission):
        def has_permission(self, request, view):
            if not request.user.is_authenticated:
                return False
            if not check(request.user):
                raise exceptions.NotFound()
            return True

    return RolePermission


class NewestFirst(pagination.CursorPagination):
    """A stable cursor over the newest rows first (primary keys only order, they are never shown)."""

    ordering = "-pk"
    page_size = 50
    max_page_size = 200
    page_size_query_param = "page_size"
