from django.urls import path

from oversight import views

app_name = "oversight"
urlpatterns = [
    path("", views.national, name="national"),
    path("data-quality/", views.quality, name="quality"),
]
