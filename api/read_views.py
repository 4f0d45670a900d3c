"""Reads for officers' and researchers' systems: a case's progress, snapshots, report runs."""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import NotFound
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.pagination import Cursor
from api.permissions import HasScope
from api.read_forms import CaseSerializer, ReportRunSerializer, SnapshotsSerializer
from api.selectors import acting_person, request_token, token_trial
from common.memberships import membership_check
from common.roles import Role
from outcomes.selectors import snapshots_at_cut
from participants.selectors import cases_visible_to
from reports.selectors import run_get, runs_visible_to
from reports.services import dataset_trial_ids, run_disclose
from workshops.selectors import case_workshops

# Who reads outcomes and datasets on the pages: the analysts and the trial's managers.
DATA_ROLES = (Role.RESEARCHER, Role.TRIAL_MANAGER, Role.DATA_MANAGER)
DATASET_ROLES = (Role.RESEARCHER, Role.TRIAL_MANAGER)
JUSTIFICATION = "X-Justification"
DONE = "done"


class HasOneOf(BasePermission):
    """A token holding any one of the scopes (the officer's side: screening or enrolment)."""

    def __init__(self, *scopes: str) -> None:
        self.each = [HasScope(scope) for scope in scopes]
        self.message = f"This token holds none of the scopes {', '.join(scopes)}."

    def __call__(self) -> HasOneOf:
        return self

    def has_permission(self, request: Request, view: Any) -> bool:
        return any(each.has_permission(request, view) for each in self.each)


class CaseDetail(APIView):
    """A case's status and workshop progress, by trial ID: no names, no contact details."""

    permission_classes = [HasOneOf("enrolment:write", "screening:write")]

    @extend_schema(
        summary="A case's status and workshops", tags=["custody"], responses=CaseSerializer
    )
    def get(self, request: Request, trial: str, pseudonym: str) -> Response:
        found = token_trial(request, trial)
        by = acting_person(request)
        case = cases_visible_to(by).filter(trial=found, pseudonym=pseudonym.upper()).first()
        if case is None:
            raise NotFound("No such case in your area.")
        progress = case_workshops(user=by, pk=case.pk)
        attended = sorted({b.part for b in progress.bookings if b.counts_as_attended})
        arm = case.allocation.arm.code if case.allocation is not None else None
        body = {
            "case": case.pseudonym,
            "status": case.status,
            "arm": arm,
            "caution_given_on": case.caution_given_on,
            "workshop_deadline": case.workshop_deadline,
            "workshops": {
                "in_workshops": progress.in_workshops,
                "parts_attended": attended,
                "flag": progress.flag if progress.in_workshops else "",
            },
        }
        return Response(CaseSerializer(body).data)


def _data_reader(request: Request, trial: Any, *roles: Role) -> None:
    """A token reads as its person or account: an analyst's or manager's roles in the trial."""
    membership_check(acting_person(request), trial, *roles)


def _cut(request: Request, trial: Any) -> tuple[int, datetime.date]:
    errors: dict[str, list[str]] = {}
    window = request.query_params.get("window", "")
    months = int(window) if window.isdigit() else None
    if months not in trial.follow_up_months:
        follow_up = ", ".join(str(m) for m in trial.follow_up_months)
        errors["window"] = [f"Give one of the trial's follow-up windows in months: {follow_up}."]
    try:
        cut = datetime.date.fromisoformat(request.query_params.get("cut", ""))
    except ValueError:
        errors["cut"] = ["Give the data cut as YYYY-MM-DD."]
    if errors:
        raise serializers.ValidationError(errors)
    assert months is not None
    return months, cut


class Snapshots(APIView):
    """Each participant's frozen outcome in a window at a data cut, by trial ID."""

    permission_classes = [HasScope("snapshots:read")]

    @extend_schema(
        summary="Follow-up snapshots at a data cut",
        tags=["research"],
        parameters=[
            OpenApiParameter("window", OpenApiTypes.INT, required=True),
            OpenApiParameter("cut", OpenApiTypes.DATE, required=True),
        ],
        responses=SnapshotsSerializer,
    )
    def get(self, request: Request, trial: str) -> Response:
        found = token_trial(request, trial)
        _data_reader(request, found, *DATA_ROLES)
        months, cut = _cut(request, found)
        rows = snapshots_at_cut(trial=found, window_months=months, data_cut=cut)
        results = []
        for row in rows:
            values = dataclasses.asdict(row)
            values["trial_id"] = values.pop("participant_key")
            results.append(values)
        return Response(
            SnapshotsSerializer({"window": months, "cut": cut, "results": results}).data
        )


class ReportRuns(generics.ListAPIView):
    """The trial's report runs the token's person may see, newest first."""

    serializer_class = ReportRunSerializer
    permission_classes = [HasScope("reports:read")]
    pagination_class = type("Newest", (Cursor,), {"ordering": "-pk"})

    def get_queryset(self) -> Any:
        found = token_trial(self.request, self.kwargs["trial"])
        return runs_visible_to(acting_person(self.request), trial=found)

    @extend_schema(summary="List report runs", tags=["research"])
    def get(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        return super().get(request, *args, **kwargs)


class ReportRunDetail(APIView):
    """One report run's status."""

    permission_classes = [HasScope("reports:read")]

    @extend_schema(
        summary="A report run's status", tags=["research"], responses=ReportRunSerializer
    )
    def get(self, request: Request, trial: str, pk: int) -> Response:
        found = token_trial(request, trial)
        run = run_get(user=acting_person(request), pk=pk)
        if run.trial_id != found.pk:
            raise NotFound("No such report.")
        return Response(ReportRunSerializer(run).data)


class Dataset(APIView):
    """A finished run's pseudonymised dataset CSV, recorded as a disclosure with its reason."""

    permission_classes = [HasScope("dataset:read")]

    @extend_schema(
        summary="Download a report run's pseudonymised dataset",
        tags=["research"],
        parameters=[
            OpenApiParameter("run", OpenApiTypes.INT, required=True),
            OpenApiParameter(
                JUSTIFICATION,
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                required=True,
                description="Why the dataset leaves the application: recorded (s.62).",
            ),
        ],
        responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY)},
    )
    def get(self, request: Request, trial: str) -> HttpResponse:
        found = token_trial(request, trial)
        by = acting_person(request)
        _data_reader(request, found, *DATASET_ROLES)
        justification = request.headers.get(JUSTIFICATION, "").strip()
        run_id = request.query_params.get("run", "")
        errors: dict[str, list[str]] = {}
        if not justification:
            errors[JUSTIFICATION] = ["Say why the dataset leaves the application: it is recorded."]
        if not run_id.isdigit():
            errors["run"] = ["Give the report run's id."]
        if errors:
            raise serializers.ValidationError(errors)
        run = run_get(user=by, pk=int(run_id))
        if run.trial_id != found.pk or run.status != DONE or run.blinded:
            # A blinded run's dataset names the arms the committee was blinded to.
            raise NotFound("No such report with a dataset to download.")
        with run.dataset_csv.open("rb") as handle:
            dataset = handle.read()
        token = request_token(request)
        run_disclose(
            run=run,
            by=by,
            what="dataset",
            purpose="other",
            recipient=f"API token {token.prefix}… ({token.name})",
            justification=justification,
            participants=dataset_trial_ids(dataset),
        )
        response = HttpResponse(dataset, content_type="text/csv; charset=utf-8")
        response["Cache-Control"] = "no-store"
        return response
