"""The back office for deliveries: the outbox (filter by state and channel, re-send dead
letters), webhook endpoints and group robots. Outbox rows are written by services only, so they
are read-only here."""

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from shouwang.core.errors import ApplicationError
from shouwang.core.models import User
from shouwang.notify.models import OutboxMessage, RobotWebhook, WebhookEndpoint
from shouwang.notify.selectors import messages_scope_q
from shouwang.notify.services import outbox_resend


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin[OutboxMessage]):
    list_display = (
        "id",
        "channel",
        "recipient",
        "state",
        "attempts",
        "next_attempt_at",
        "created_at",
        "node",
        "acked_at",
    )
    list_filter = ("state", "channel", "requires_ack")
    search_fields = ("recipient", "idempotency_key", "subject_id")
    date_hierarchy = "created_at"
    actions = ("resend",)
    list_select_related = ("node",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[OutboxMessage]:
        return super().get_queryset(request).filter(messages_scope_q(_user(request)))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("重新发送所选的失败消息"), permissions=["view"])
    def resend(self, request: HttpRequest, queryset: QuerySet[OutboxMessage]) -> None:
        resent, refused = 0, 0
        for message_id in queryset.values_list("pk", flat=True):
            try:
                outbox_resend(actor=_user(request), message_id=message_id, request=request)
                resent += 1
            except ApplicationError:
                refused += 1
        if resent:
            self.message_user(
                request,
                ngettext("已重新发送 %d 条消息。", "已重新发送 %d 条消息。", resent) % resent,
            )
        if refused:
            self.message_user(
                request,
                ngettext(
                    "%d 条消息未重发（只有发送失败的消息可以重发）。",
                    "%d 条消息未重发（只有发送失败的消息可以重发）。",
                    refused,
                )
                % refused,
                level=messages.WARNING,
            )


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin[WebhookEndpoint]):
    list_display = ("code", "name", "url", "node", "is_active")
    list_filter = ("is_active",)
    search_fields = ("code", "name", "url")
    raw_id_fields = ("node",)


@admin.register(RobotWebhook)
class RobotWebhookAdmin(admin.ModelAdmin[RobotWebhook]):
    list_display = ("code", "name", "kind", "node", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("code", "name")
    raw_id_fields = ("node",)
