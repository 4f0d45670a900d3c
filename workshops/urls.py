"""Counsellor pages: men and sessions are addressed by database id, never by anything personal."""

from django.urls import path

from workshops import manager_views, views

app_name = "workshops"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("cycles/new/", views.cycle_new, name="cycle_new"),
    path("cycles/<int:pk>/", views.cycle, name="cycle"),
    path("sessions/<int:pk>/", views.session, name="session"),
    path("sessions/<int:pk>/cancel/", views.cancel, name="cancel"),
    path(
        "sessions/<int:pk>/attendance/<int:booking_pk>/correct/",
        views.attendance_correction,
        name="attendance_correct",
    ),
    path("participants/<int:pk>/", views.participant, name="participant"),
    path("participants/<int:pk>/feedback/", views.feedback, name="feedback"),
    path("calendar/", views.calendar_month, name="calendar"),
    path("calendar/week/", views.calendar_week, name="calendar_week"),
    path("calendar/feed/", views.calendar_feed_settings, name="calendar_feed_settings"),
    path("calendar/feed/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("deliveries/", manager_views.deliveries, name="deliveries"),
]
