from django.urls import path

from trial import views

app_name = "trial"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
]
