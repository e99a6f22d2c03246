from django.urls import include, path

from followups import views, webhooks

app_name = "followups"

urlpatterns = [
    path("today/", views.today, name="today"),
    path("calls/<int:calltask_id>/done/", views.call_done, name="call-done"),
    path("calls/<int:calltask_id>/voicemail/", views.call_voicemail, name="call-voicemail"),
    path("messages/", views.message_log, name="message-log"),
    path("templates/", views.template_list, name="templates"),
    path("templates/<int:template_id>/", views.template_edit, name="template-edit"),
    path("settings/", views.messaging_settings, name="settings"),
    path("aftercare/", views.aftercare_steps, name="aftercare"),
    # Public: reached from an email, no login.
    path("unsubscribe/<str:token>/", webhooks.unsubscribe, name="unsubscribe"),
    # Providers' webhooks: Twilio signs its requests, anymail's use basic auth WEBHOOK_SECRET
    # and refuse every request while it is not set.
    path("webhooks/twilio/inbound/", webhooks.twilio_inbound, name="twilio-inbound"),
    path("webhooks/twilio/status/", webhooks.twilio_status, name="twilio-status"),
    path("anymail/", include((webhooks.anymail_urlpatterns(), "anymail"))),
]
