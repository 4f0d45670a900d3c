from collections.abc import Callable

from django.http import HttpResponse
from django.urls import path

from common import people_views as views

app_name = "people"
# (route, view, name): the list, the invitation, and each user's page with its four changes.
PAGES: list[tuple[str, Callable[..., HttpResponse], str]] = [
    ("", views.people, "list"),
    ("invite/", views.invite, "invite"),
    ("<int:pk>/", views.detail, "detail"),
    ("<int:pk>/roles/", views.roles, "roles"),
    ("<int:pk>/organisation/", views.organisation, "organisation"),
    ("<int:pk>/active/", views.active, "active"),
    ("<int:pk>/password-reset/", views.password_reset, "password_reset"),
]
urlpatterns = [path(route, view, name=name) for route, view, name in PAGES]
