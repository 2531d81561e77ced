"""The API token's user is kept per web process for a few seconds, and forgotten at once when the token is
replaced or the user changes: a replaced token or a deactivated user is refused on the next request."""

from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient


def with_token(key: str) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api


def test_a_replaced_token_is_refused_at_once(supplier_member):
    old = Token.objects.create(user=supplier_member)
    api = with_token(old.key)
    assert api.get("/api/").status_code == 200
    assert api.get("/api/").status_code == 200  # from what the process keeps

    Token.objects.filter(user=supplier_member).delete()  # the portal's "new token"
    new = Token.objects.create(user=supplier_member)
    assert api.get("/api/").status_code in (401, 403)  # refused (403: session authentication comes first)
    assert with_token(new.key).get("/api/").status_code == 200


def test_a_deactivated_user_is_refused_at_once(supplier_member):
    token = Token.objects.create(user=supplier_member)
    api = with_token(token.key)
    assert api.get("/api/").status_code == 200
    supplier_member.is_active = False
    supplier_member.save()
    assert api.get("/api/").status_code in (401, 403)  # refused (403: session authentication comes first)
