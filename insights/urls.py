from django.urls import path

from insights import views

app_name = "insights"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("lapsed/", views.lapsed, name="lapsed"),
    path("customers/<slug:figure>/", views.customers, name="customers"),
    path("reach-out/<int:customer_id>/", views.reach_out, name="reach-out"),
    path("my-year/", views.my_year, name="my-year"),
    path("goals/<int:staff_member_id>/", views.goal_edit, name="goal-edit"),
]
