"""Officer pages: cases are addressed by database id, never by anything personal."""

from django.urls import path

from participants import views

app_name = "participants"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("cases/", views.case_list, name="case_list"),
    path("screen/", views.screen, name="screen"),
    path("cases/<int:pk>/", views.case, name="case"),
    path("cases/<int:pk>/consent/", views.consent, name="consent"),
    path("cases/<int:pk>/correct/", views.correct, name="correct"),
    path("cases/<int:pk>/enrol/", views.enrol, name="enrol"),
    path("cases/<int:pk>/randomised/", views.randomised, name="randomised"),
    path("cases/<int:pk>/conditions/", views.conditions, name="conditions"),
    path("cases/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("cases/<int:pk>/safety/", views.safety_event, name="safety_event"),
]
