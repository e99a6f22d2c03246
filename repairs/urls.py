from django.urls import path

from repairs import views

app_name = "repairs"

urlpatterns = [
    path("", views.home, name="home"),
    path("take-in/", views.take_in, name="take-in"),
    path("take-in/customers/", views.customer_lookup, name="customer-lookup"),
    path("<int:envelope_id>/", views.envelope, name="envelope"),
    path("<int:envelope_id>/print/", views.envelope_print, name="envelope-print"),
    path("<int:envelope_id>/photos/add/", views.envelope_photo_add, name="envelope-photo-add"),
    path("<int:envelope_id>/photos/<int:photo_id>/", views.envelope_photo,
         name="envelope-photo"),
    path("<int:envelope_id>/status/", views.envelope_status, name="envelope-status"),
    path("<int:envelope_id>/cancel/", views.envelope_cancel, name="envelope-cancel"),
    path("capture-report/", views.capture_report, name="capture-report"),
]
