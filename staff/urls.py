from django.urls import path

from staff import views

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
]
