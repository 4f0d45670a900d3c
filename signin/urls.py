from django.contrib.auth import views as auth_views
from django.urls import path

from signin import account_views, views

app_name = "signin"
urlpatterns = [
    path("two-factor/", views.verify, name="verify"),
    path("two-factor/recovery/", views.recovery, name="recovery"),
    path("two-factor/setup/", views.setup, name="setup"),
    path("confirm/", views.confirm, name="confirm"),
    path("keepalive/", views.keepalive, name="keepalive"),
    path("security/", account_views.security, name="security"),
    path("security/recovery-codes/", account_views.recovery_codes_new, name="recovery_codes"),
    path("people/<int:pk>/unlock/", account_views.person_unlock, name="unlock"),
    path(
        "people/<int:pk>/second-factor-reset/",
        account_views.person_second_factor_reset,
        name="second_factor_reset",
    ),
]

# The stock pages that sign-in security changes, at the names django.contrib.auth.urls uses.
auth_urlpatterns = [
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", views.SignOutView.as_view(), name="logout"),
    path("password_change/", account_views.PasswordChangeView.as_view(), name="password_change"),
    path("password_reset/", account_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "reset/<uidb64>/<token>/",
        account_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password_reset/done/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
]
