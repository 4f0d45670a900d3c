from django.urls import path

from plans import views

app_name = "plans"
urlpatterns = [
    path("<slug:code>/plan/", views.plan, name="plan"),
]
