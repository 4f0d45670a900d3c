"""A custody or triage system's steps: screen, record the victim's decision, enrol (idempotent)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.custody_forms import (
    ConsentFactsSerializer,
    EnrolFactsSerializer,
    EnrolResultSerializer,
    ProblemSerializer,
    ScreeningFactsSerializer,
    ScreenResultSerializer,
)
from api.permissions import HasScope
from api.selectors import acting_person, request_token, token_trial
from common.idempotency import request_fingerprint
from common.services import idempotent
from participants.services import InvalidInputError, custody_consent, custody_enrol, custody_screen

KEY_HEADER = "Idempotency-Key"
KEY_MISSING = (
    f"Send an {KEY_HEADER} header (a UUID, say): a retried enrolment must not randomise twice."
)
PROBLEM = "application/problem+json"
REFUSED = OpenApiResponse(ProblemSerializer, description="A rule of the trial refuses it.")
CONFLICT = OpenApiResponse(
    ProblemSerializer, description=f"The {KEY_HEADER} was used with a different request."
)
KEY_PARAMETER = OpenApiParameter(
    KEY_HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description="One per enrolment: the same key and body get the first answer again, "
    "byte for byte, without randomising; the same key with another body is a 409. Kept 24 hours.",
)


def _facts(request: Request, case: str | None = None) -> Mapping[str, Any]:
    """Return the body as the service's facts, with the URL's case (a body's case is refused)."""
    data = request.data
    if not isinstance(data, Mapping):
        raise serializers.ValidationError({"non_field_errors": ["Send a JSON object."]})
    if case is None:
        return data
    if "case" in data:
        raise serializers.ValidationError({"case": ["The case is the URL's: leave it out."]})
    return {**data, "case": case}


def _checked(step: Callable[[], Any]) -> Any:
    """Run a custody step; its field problems become the forms' field errors (400)."""
    try:
        return step()
    except InvalidInputError as exc:
        raise serializers.ValidationError({k: [v] for k, v in exc.errors.items()}) from None


class Screenings(APIView):
    """Submit a case's screening facts; get its eligibility with every failed criterion."""

    permission_classes = [HasScope("screening:write")]

    @extend_schema(
        summary="Screen a case",
        tags=["custody"],
        request=ScreeningFactsSerializer,
        responses={201: ScreenResultSerializer, (422, PROBLEM): REFUSED},
    )
    def post(self, request: Request, trial: str) -> Response:
        found = token_trial(request, trial)
        by = acting_person(request)
        facts = _facts(request)
        result = _checked(lambda: custody_screen(by=by, trial=found, facts=facts))
        return Response(result, status=201)


class Consent(APIView):
    """Record the victim's contact and decision on a screened case."""

    permission_classes = [HasScope("screening:write")]

    @extend_schema(
        summary="Record the victim's decision",
        tags=["custody"],
        request=ConsentFactsSerializer,
        responses={200: ScreenResultSerializer, (422, PROBLEM): REFUSED},
    )
    def post(self, request: Request, trial: str, pseudonym: str) -> Response:
        found = token_trial(request, trial)
        by = acting_person(request)
        facts = _facts(request, pseudonym)
        return Response(_checked(lambda: custody_consent(by=by, trial=found, facts=facts)))


class Enrolment(APIView):
    """Enrol and randomise a consented case, once per Idempotency-Key."""

    permission_classes = [HasScope("enrolment:write")]

    @extend_schema(
        summary="Enrol and randomise a case",
        tags=["custody"],
        parameters=[KEY_PARAMETER],
        request=EnrolFactsSerializer,
        responses={
            201: EnrolResultSerializer,
            (409, PROBLEM): CONFLICT,
            (422, PROBLEM): REFUSED,
        },
    )
    def post(self, request: Request, trial: str, pseudonym: str) -> Response:
        found = token_trial(request, trial)
        key = request.headers.get(KEY_HEADER)
        if key is None:
            raise serializers.ValidationError({KEY_HEADER: [KEY_MISSING]})
        by = acting_person(request)
        facts = _facts(request, pseudonym)
        fingerprint = request_fingerprint(method="POST", path=request.path, body=request.data)
        status, body = _checked(
            lambda: idempotent(
                owner=f"token:{request_token(request).pk}",
                key=key,
                fingerprint=fingerprint,
                do=lambda: (201, dict(custody_enrol(by=by, trial=found, facts=facts))),
            )
        )
        return Response(body, status=status)
