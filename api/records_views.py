"""A records system's push of re-offence records: all or nothing, idempotent by record id."""

from __future__ import annotations

from collections.abc import Mapping

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.permissions import HasScope
from api.problems import CONTENT_TYPE, problem_body
from api.records_forms import (
    PushRefusedSerializer,
    PushResultSerializer,
    PushSerializer,
    SourceSerializer,
    SourcesSerializer,
)
from api.selectors import acting_person, token_trial
from common.memberships import membership_check
from outcomes.selectors import trial_sources
from outcomes.services import DATA_ROLES, PushRejectedError, records_push

KNOWN = frozenset({"source", "records"})


def _body(request: Request) -> tuple[int, list[object]]:
    """Return the source's id and the records, or the body's field errors (400)."""
    data = request.data
    if not isinstance(data, Mapping):
        raise serializers.ValidationError({"non_field_errors": ["Send a JSON object."]})
    errors = {name: ["This field is not known."] for name in data if name not in KNOWN}
    source, records = data.get("source"), data.get("records")
    if isinstance(source, bool) or not isinstance(source, int):
        errors["source"] = ["Give the record source's id (a number)."]
    if not isinstance(records, list):
        errors["records"] = ["Give the records as a list of objects."]
    if errors:
        raise serializers.ValidationError(errors)
    assert isinstance(source, int)
    assert isinstance(records, list)
    return source, records


class Records(APIView):
    """Push up to 10,000 re-offence records: every row good, or nothing stored."""

    permission_classes = [HasScope("records:write")]

    @extend_schema(
        summary="Push re-offence records",
        tags=["records"],
        request=PushSerializer,
        responses={
            200: PushResultSerializer,
            (422, CONTENT_TYPE): OpenApiResponse(
                PushRefusedSerializer, description="Nothing was stored."
            ),
        },
    )
    def post(self, request: Request, trial: str) -> Response:
        found = token_trial(request, trial)
        source_id, rows = _body(request)
        source = trial_sources(trial=found).filter(pk=source_id).first()
        if source is None:
            raise NotFound("No such record source in this trial.")
        try:
            result = records_push(source=source, rows=rows, by=acting_person(request))
        except PushRejectedError as refused:
            body = problem_body(422, refused.message, kind="records-refused")
            body["errors"] = [dict(e) for e in refused.errors]
            return Response(body, status=422, content_type=CONTENT_TYPE)
        return Response(
            {
                "run": result.run.pk,
                "records": len(rows),
                "added": result.added,
                "duplicates": result.duplicates,
                "unmatched": result.unmatched,
            }
        )


class Sources(APIView):
    """The trial's record sources: a records system finds the id its pushes name."""

    permission_classes = [HasScope("records:write")]

    @extend_schema(
        summary="List the trial's record sources", tags=["records"], responses=SourcesSerializer
    )
    def get(self, request: Request, trial: str) -> Response:
        found = token_trial(request, trial)
        membership_check(acting_person(request), found, *DATA_ROLES)
        sources = SourceSerializer(trial_sources(trial=found), many=True).data
        return Response({"results": sources})
