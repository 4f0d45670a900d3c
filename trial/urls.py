from django.urls import path

from trial import views

app_name = "trial"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("new/", views.trial_new, name="new"),
    path("balance/", views.balance_index, name="balance_index"),
    path("<slug:code>/", views.trial_detail, name="detail"),
    path("<slug:code>/settings/", views.trial_settings, name="settings"),
    path("<slug:code>/design/", views.trial_design, name="design"),
    path("<slug:code>/status/", views.trial_status, name="status"),
    path("<slug:code>/verify/", views.trial_verify, name="verify"),
    path("<slug:code>/balance/", views.balance, name="balance"),
    path("<slug:code>/corrections/", views.corrections, name="corrections"),
    path("<slug:code>/sequence/", views.sequence, name="sequence"),
    path("<slug:code>/sequence/export/", views.sequence_download, name="sequence_export"),
]
