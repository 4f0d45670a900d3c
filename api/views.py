"""The API's endpoints: check the token, call one selector or service, answer JSON."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import extend_schema
from rest_framework import generics

from api.pagination import ByCode
from api.permissions import HasToken
from api.problems import problem_response
from api.selectors import ApiToken, trials_for_token
from api.serializers import TrialSerializer


class TrialList(generics.ListAPIView):
    """The trials this token may see: a service token its own, a personal token its person's."""

    serializer_class = TrialSerializer
    permission_classes = [HasToken]
    pagination_class = ByCode

    def get_queryset(self) -> Any:
        token = self.request.auth
        assert isinstance(token, ApiToken)  # HasToken let it in
        return trials_for_token(token)

    @extend_schema(summary="List the trials this token may see", tags=["trials"])
    def get(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        return super().get(request, *args, **kwargs)


@login_not_required
def docs(request: HttpRequest) -> HttpResponse:
    """The schema's browsable docs, from the vendored Swagger UI (no CDN)."""
    return render(request, "api/docs.html")


@csrf_exempt  # a token client holds no CSRF cookie: it should see the 404, not a 403 page
@login_not_required
def no_such_endpoint(request: HttpRequest) -> HttpResponse:
    """A 404 under /api/ that no endpoint answered, as problem+json."""
    return problem_response(404, "There is no such endpoint.", kind="not_found")
