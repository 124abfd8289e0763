"""Page routes of the cases app: the dispatcher console and big screen, the field pages
(responders, citizens), and the supervisor queues."""

from django.urls import include, path

urlpatterns = [
    path("", include("shouwang.cases.urls_console")),
    path("", include("shouwang.cases.urls_field")),
    path("", include("shouwang.cases.urls_supervisor")),
]
