from django.urls import path

from staff import floor_views, views

app_name = "staff"

urlpatterns = [
    path("", views.home, name="home"),
    path("add/", views.member_add, name="member-add"),
    path("<int:staff_member_id>/", views.member_change, name="member-change"),
    path("<int:staff_member_id>/departure/", views.member_depart, name="member-depart"),
    path("policy/", views.store_policy, name="store-policy"),
    path("orphans/", views.orphans, name="orphans"),
    path("orphans/print/", views.orphans_print, name="orphans-print"),
    path("orphans/reassign/", views.orphans_reassign, name="orphans-reassign"),
    path("orphans/suggestions/", views.orphans_suggest, name="orphans-suggest"),
    path("orphans/suggestions/accept/", views.suggestions_accept, name="suggestions-accept"),
    path("orphans/suggestions/accept-all/", views.suggestions_accept_all,
         name="suggestions-accept-all"),
    path("clients/<int:customer_id>/reassign/", views.client_reassign, name="client-reassign"),
    path("<int:staff_member_id>/pin/", floor_views.member_pin, name="member-pin"),
    path("<int:staff_member_id>/unlock/", floor_views.member_unlock, name="member-unlock"),
    path("me/pin/", floor_views.own_pin, name="own-pin"),
    path("audit/", floor_views.audit, name="audit"),
    # The shared floor tablet ("/staff/floor/" stays open on a locked tablet).
    path("floor/", floor_views.floor_screen, name="floor"),
    path("floor/lock/", floor_views.floor_lock, name="floor-lock"),
    path("floor/alive/", floor_views.floor_alive, name="floor-alive"),
    path("floor/<int:staff_member_id>/", floor_views.floor_pin, name="floor-pin"),
    path("floor-devices/", floor_views.floor_devices, name="floor-devices"),
    path("floor-devices/<int:device_id>/retire/", floor_views.floor_device_retire,
         name="floor-device-retire"),
    path("floor-devices/<int:device_id>/unlock/", floor_views.floor_device_unlock,
         name="floor-device-unlock"),
]
