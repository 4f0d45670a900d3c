"""Top-level URL map: each role's pages live under their own prefix."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from common import views as common_views
from common.people_forms import OutboxPasswordResetForm

urlpatterns = [
    path("", common_views.home, name="home"),
    path("healthz", common_views.healthz, name="healthz"),
    path(
        "accounts/password_reset/",
        auth_views.PasswordResetView.as_view(form_class=OutboxPasswordResetForm),
        name="password_reset",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("people/", include("common.people_urls")),
    path("trial/", include("trial.urls")),
    path("officer/breaches/", include("workshops.officer_urls")),
    path("officer/", include("participants.urls")),
    path("counsellor/", include("workshops.urls")),
    path("outcomes/", include("outcomes.urls")),
    path("research/", include("reports.urls")),
]
