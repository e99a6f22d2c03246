from django.urls import path

from events import views

app_name = "events"

urlpatterns = [
    path("", views.event_list, name="list"),
    path("new/", views.event_add, name="event-add"),
    path("<int:event_id>/", views.event_page, name="event"),
    path("<int:event_id>/edit/", views.event_edit, name="event-edit"),
    path("<int:event_id>/cancel/", views.event_cancel, name="event-cancel"),
    path("<int:event_id>/guests/", views.guest_list, name="guest-list"),
    path("<int:event_id>/guests/<int:invitation_id>/attended/", views.attended,
         name="attended"),
    path("<int:event_id>/campaigns/new/", views.campaign_add, name="campaign-add"),
    path("campaigns/<int:campaign_id>/", views.campaign_page, name="campaign"),
    path("campaigns/<int:campaign_id>/edit/", views.campaign_edit, name="campaign-edit"),
    path("campaigns/<int:campaign_id>/audience/", views.campaign_audience,
         name="campaign-audience"),
    path("campaigns/<int:campaign_id>/progress/", views.campaign_progress,
         name="campaign-progress"),
    path("campaigns/<int:campaign_id>/start/", views.campaign_start, name="campaign-start"),
    path("campaigns/<int:campaign_id>/pause/", views.campaign_pause, name="campaign-pause"),
    path("campaigns/<int:campaign_id>/resume/", views.campaign_resume, name="campaign-resume"),
    # Public: reached from an invitation, no login.
    path("rsvp/<str:invitation_token>/", views.rsvp, name="rsvp"),
]
