from django.urls import path

from workshops import views

app_name = "workshops"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
]
