from django.urls import path

from outcomes import views

app_name = "outcomes"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("upload/", views.upload, name="upload"),
    path("records/new/", views.enter, name="enter"),
    path("sources/<int:source_id>/pull/", views.pull, name="pull"),
    path("runs/<int:run_id>/errors.csv", views.error_report, name="error_report"),
    path("runs/<int:run_id>/extract", views.kept_extract, name="kept_extract"),
]
