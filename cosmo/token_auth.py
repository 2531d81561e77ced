"""Token authentication for the API: DRF's, with what a token names kept per process for
COSMO_TOKEN_CACHE_SECONDS. An API client sends the same token with every request, and reading it and its
user again each time was a tenth of an order POST. A token deleted (a supplier makes a new one) or a user
changed (deactivated) is seen at once by the process that changed it and within those seconds by the others.

Its own module: DRF reads its authentication classes while `rest_framework.views` is imported, so this one
imports no view."""

import copy
import threading
import time

from django.conf import settings
from django.db.models.signals import post_delete, post_save
from rest_framework import authentication
from rest_framework.authtoken.models import Token


_tokens: dict[str, tuple[float, Token]] = {}  # key → (monotonic expiry, the token with its user)
_tokens_lock = threading.Lock()
_TOKENS_KEEP = 10_000


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key):
        found = _tokens.get(key)
        if found is None or found[0] <= time.monotonic():
            _, token = super().authenticate_credentials(key)  # refuses unknown keys and inactive users
            with _tokens_lock:
                if len(_tokens) >= _TOKENS_KEEP:
                    _tokens.clear()
                _tokens[key] = (time.monotonic() + settings.COSMO_TOKEN_CACHE_SECONDS, token)
        else:
            token = found[1]
        return copy.copy(token.user), token  # each request its own user object


def tokens_forget(sender=None, instance=None, **kwargs) -> None:
    """Drop the kept tokens of this token or user (all of them without one)."""
    with _tokens_lock:
        if instance is None:
            _tokens.clear()
            return
        for key, (_, token) in list(_tokens.items()):
            if token.pk == instance.pk if isinstance(instance, Token) else token.user_id == instance.pk:
                del _tokens[key]


def connect() -> None:
    from django.contrib.auth import get_user_model

    post_delete.connect(tokens_forget, sender=Token, dispatch_uid="cosmo-token-forget-token")
    post_save.connect(tokens_forget, sender=get_user_model(), dispatch_uid="cosmo-token-forget-user")
    post_delete.connect(tokens_forget, sender=get_user_model(), dispatch_uid="cosmo-token-forget-user-delete")
