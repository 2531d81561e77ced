"""The site's URLs plus one that fails, to see what a browser gets from a server error."""

from django.urls import path

from lifecycle.urls import urlpatterns as site


def fails(request):
    raise RuntimeError("a bug that must not reach the browser")


urlpatterns = [path("fails/", fails), *site]
