"""Officer pages of the workshops app, included under /officer/breaches/."""

from django.urls import path

from workshops import officer_views

app_name = "breaches"
urlpatterns = [
    path("", officer_views.breach_list, name="list"),
    path("<int:pk>/", officer_views.breach, name="detail"),
    path("men/<int:pk>/", officer_views.deadline, name="deadline"),
    path("case/<int:pk>/", officer_views.case_workshops_fragment, name="case_workshops"),
]
