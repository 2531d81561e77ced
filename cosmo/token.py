"""`POST /api/token/`: a token for `Authorization: Token …`. The password is checked through Django's
`authenticate` on the plain request, so django-axes counts its failures and locks it out like the login
page; the endpoint is throttled per client address."""

from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from cosmo.security import TokenThrottle, locked_out


class CredentialsSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})


class TokenCreate(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [TokenThrottle]

    @extend_schema(
        request=CredentialsSerializer,
        responses={200: inline_serializer("TokenOut", {"token": serializers.CharField()})},
    )
    def post(self, request):
        incoming = CredentialsSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        plain = request._request  # django-axes reads and marks the HttpRequest, not DRF's wrapper
        user = authenticate(plain, **incoming.validated_data)
        if getattr(plain, "axes_locked_out", False):
            return locked_out(plain)
        if user is None or not user.is_active:
            raise ValidationError({"password": ["Unable to log in with these credentials."]})
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})

