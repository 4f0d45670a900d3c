"""The site's URLs plus one endpoint that reads a body, to test the stack under any write.

The write endpoints (enrolment, records) are built on this foundation elsewhere; this one
holds a scope, names a trial in its body and validates fields, and stores nothing.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.urls import path
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.permissions import HasScope
from common.exceptions import ConflictError
from config.urls import urlpatterns as site


class EchoSerializer(serializers.Serializer):
    trial = serializers.CharField()
    offence_date = serializers.DateField()
    rows = serializers.ListField(child=serializers.DictField(child=serializers.IntegerField()))


class Echo(APIView):
    permission_classes = [HasScope("records:write")]

    def post(self, request: Request, trial: str | None = None) -> Response:
        data = EchoSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if data.validated_data["rows"] == [{"conflict": 1}]:
            raise ConflictError("Another push holds these records.", field="rows")
        return Response({"ok": True})

    def get(self, request: Request, trial: str | None = None) -> Response:
        return Response({"trial": trial})


def _view() -> Any:
    return login_not_required(Echo.as_view())


urlpatterns = [
    path("api/v1/echo/", _view()),
    path("api/v1/trials/<str:trial>/echo/", _view()),
    *site,  # after: the API's catch-all 404 would answer first
]
