"""Access helpers: a page for one role answers 404 to every other role (never a 403 that confirms it)."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404


def role_required(check):
    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not check(request.user):
                raise Http404
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


consumer_required = role_required(lambda user: user.is_consumer)
planner_required = role_required(lambda user: user.is_planner)
supplier_member_required = role_required(
    lambda user: user.is_supplier_member and hasattr(user, "supplier_membership")
)
# Order pages: the consumer who placed it, or a planner.
order_viewer_required = role_required(lambda user: user.is_consumer or user.is_planner)
