"""A page whose transaction lost a deadlock even after its retries answers 503 "try again", not 500."""

from django.http import HttpResponse
from django.utils.translation import gettext as _

from cosmo.retry import is_conflict


class ConflictMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_conflict(exception):
            return None
        response = HttpResponse(
            _("Cosmo is busy with the same rows right now. Please try again in a moment."), status=503,
            content_type="text/plain; charset=utf-8",
        )
        response["Retry-After"] = "1"
        return response
