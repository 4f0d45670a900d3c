"""Top-level URL map: each role's pages live under their own prefix."""

from django.contrib import admin
from django.urls import include, path

from common import views as common_views
from signin.urls import auth_urlpatterns

urlpatterns = [
    path("", common_views.home, name="home"),
    path("healthz", common_views.healthz, name="healthz"),
    path("accessibility", common_views.accessibility, name="accessibility"),
    path("trial-choice", common_views.trial_choose, name="trial_choose"),
    # Sign-in security's own pages first, then the stock ones it leaves alone.
    path("accounts/", include(auth_urlpatterns)),
    path("accounts/", include("signin.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("people/", include("common.people_urls")),
    path("trial/", include("trial.urls")),
    path("officer/breaches/", include("workshops.officer_urls")),
    path("officer/", include("participants.urls")),
    path("counsellor/", include("workshops.urls")),
    path("outcomes/", include("outcomes.urls")),
    path("research/", include("reports.urls")),
    path("audit/", include("privacy.urls")),
    path("oversight/", include("oversight.urls")),
    path("trials/", include("plans.urls")),
    path("api/", include("api.urls")),
]
