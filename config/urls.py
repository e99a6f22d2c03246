from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from core.views import healthz
from staff.views import role_home

urlpatterns = [
    path("", role_home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("healthz", healthz, name="healthz"),
    path("customers/", include("crm.urls")),
    path("repairs/", include("repairs.urls")),
    path("staff/", include("staff.urls")),
    path("followups/", include("followups.urls")),
    path("events/", include("events.urls")),
    path("dashboard/", include("insights.urls")),
    path("appointments/", include("appointments.urls")),
    path("admin/", admin.site.urls),
]
