from django.contrib.auth import views as auth_views
from django.urls import path

from shouwang.core import signin_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", signin_views.SignInView.as_view(), name="login"),
    path("login/second-factor/", signin_views.second_factor, name="login-second-factor"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("jurisdiction/", views.jurisdiction, name="jurisdiction"),
    path("jurisdiction/<str:code>/", views.jurisdiction, name="jurisdiction-node"),
]
