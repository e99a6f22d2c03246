from django.urls import path

from appointments import public, views

app_name = "appointments"

urlpatterns = [
    path("", views.calendar, name="calendar"),
    path("week/", views.week, name="week"),
    path("book/<int:customer_id>/", views.book, name="book"),
    path("book/new-customer/", views.book_new_customer, name="book-new-customer"),
    path("<int:appointment_id>/", views.appointment, name="appointment"),
    path("<int:appointment_id>/move/", views.move, name="move"),
    path("<int:appointment_id>/cancel/", views.cancel, name="cancel"),
    path("<int:appointment_id>/record/", views.record, name="record"),
    path("hours/", views.hours, name="hours"),
    # Public: the customer's link from the confirmation and the reminder (no login).
    path("visit/<str:link>/", public.manage, name="manage"),
]
