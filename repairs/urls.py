from django.urls import path

from repairs import views

app_name = "repairs"

urlpatterns = [
    path("", views.home, name="home"),
]
