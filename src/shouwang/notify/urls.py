"""Page routes of this app (mounted at the site root by shouwang/urls.py)."""

from django.urls import URLPattern, URLResolver, path

from shouwang.notify import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("notify/dead-letters/", views.dead_letters, name="notify-dead-letters"),
    path(
        "notify/dead-letters/<int:message_id>/resend/",
        views.dead_letter_resend,
        name="notify-dead-letter-resend",
    ),
]
