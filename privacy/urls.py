from django.urls import path

from privacy import views

app_name = "privacy"
urlpatterns = [
    path("", views.audit, name="audit"),
    path("export.csv", views.audit_export, name="audit_export"),
    path("verify/", views.audit_verify_now, name="verify"),
    path("subject-access/", views.subject_access, name="subject_access"),
]
