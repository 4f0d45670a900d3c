from django.urls import path

from reports import views

app_name = "reports"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("reports/new", views.request_report, name="request"),
    path("reports/<int:pk>/", views.run_detail, name="run"),
    path("reports/<int:pk>/progress", views.run_progress, name="progress"),
    path("reports/<int:pk>/report.pdf", views.run_pdf, name="pdf"),
    path("reports/<int:pk>/dataset.zip", views.run_dataset, name="dataset"),
]
