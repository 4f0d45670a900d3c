"""The API under /api/: the versioned endpoints, the OpenAPI schema and its docs."""

from django.contrib.auth.decorators import login_not_required
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView

from api import custody_views, read_views, records_views, service_token_views, token_views, views

app_name = "api"

v1 = [
    path("trials/", login_not_required(views.TrialList.as_view()), name="trial-list"),
    path(
        "trials/<str:trial>/screenings/",
        login_not_required(custody_views.Screenings.as_view()),
        name="screenings",
    ),
    path(
        "trials/<str:trial>/cases/<str:pseudonym>/consent/",
        login_not_required(custody_views.Consent.as_view()),
        name="case-consent",
    ),
    path(
        "trials/<str:trial>/cases/<str:pseudonym>/enrolment/",
        login_not_required(custody_views.Enrolment.as_view()),
        name="case-enrolment",
    ),
    path(
        "trials/<str:trial>/records/",
        login_not_required(records_views.Records.as_view()),
        name="records",
    ),
    path(
        "trials/<str:trial>/sources/",
        login_not_required(records_views.Sources.as_view()),
        name="sources",
    ),
    path(
        "trials/<str:trial>/cases/<str:pseudonym>/",
        login_not_required(read_views.CaseDetail.as_view()),
        name="case",
    ),
    path(
        "trials/<str:trial>/snapshots/",
        login_not_required(read_views.Snapshots.as_view()),
        name="snapshots",
    ),
    path(
        "trials/<str:trial>/report-runs/",
        login_not_required(read_views.ReportRuns.as_view()),
        name="report-runs",
    ),
    path(
        "trials/<str:trial>/report-runs/<int:pk>/",
        login_not_required(read_views.ReportRunDetail.as_view()),
        name="report-run",
    ),
    path(
        "trials/<str:trial>/dataset/",
        login_not_required(read_views.Dataset.as_view()),
        name="dataset",
    ),
]

urlpatterns = [
    path("v1/", include(v1)),
    path("schema/", login_not_required(SpectacularAPIView.as_view()), name="schema"),
    path("docs/", views.docs, name="docs"),
    path("tokens/", token_views.tokens, name="tokens"),  # a person's own, signed in
    path("service-tokens/", service_token_views.service_tokens, name="service_tokens"),
    # Anything else under /api/ is a problem+json 404, not the site's HTML page.
    re_path(r"^", views.no_such_endpoint),
]
