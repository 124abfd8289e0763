"""Open311 API keys in the back office: issued here (the key is shown once, in the message after
saving), renamed, limited to a jurisdiction, switched off. Keys are never deleted: the requests
they posted keep pointing at them. People see the keys of their own jurisdiction."""

from typing import Any

from django.contrib import admin, messages
from django.db.models import ForeignKey, Q, QuerySet
from django.forms import ModelChoiceField
from django.http import HttpRequest
from django.utils.translation import gettext as _

from shouwang.core.models import JurisdictionNode, User
from shouwang.core.selectors import scope_path, scope_q, sees_whole_system
from shouwang.open311.models import Open311ApiKey, Open311Request
from shouwang.open311.services import api_key_issue, api_key_save


def _acting(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@admin.register(Open311ApiKey)
class Open311ApiKeyAdmin(admin.ModelAdmin[Open311ApiKey]):
    list_display = ("name", "prefix", "node", "is_active", "created_at", "last_used_at")
    list_filter = ("is_active",)
    search_fields = ("name", "prefix")
    fields = ("name", "node", "is_active", "prefix", "created_at", "last_used_at")
    readonly_fields = ("prefix", "created_at", "last_used_at")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Open311ApiKey]:
        user = _acting(request)
        mine = Q(node__path__startswith=scope_path(user))
        if sees_whole_system(user):
            mine |= Q(node__isnull=True)
        return super().get_queryset(request).select_related("node").filter(mine)

    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField[Any] | None:
        if db_field.name == "node":
            kwargs["queryset"] = JurisdictionNode.objects.filter(scope_q(_acting(request), via=""))
            # Only people who see the whole system may issue a key for the whole system.
            kwargs["required"] = not sees_whole_system(_acting(request))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Open311ApiKey, form: Any, change: bool) -> None:
        if change:
            api_key_save(api_key=obj)
            return
        issued = api_key_issue(
            name=obj.name, node=obj.node, is_active=obj.is_active, actor=_acting(request)
        )
        record = issued.record
        obj.pk, obj.digest, obj.prefix = record.pk, record.digest, record.prefix
        shown_once = _("新的 Open311 API 密钥（只显示这一次，请立即复制保存）：%(key)s")
        self.message_user(request, shown_once % {"key": issued.key}, messages.WARNING)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Open311Request)
class Open311RequestAdmin(admin.ModelAdmin[Open311Request]):
    """Read-only: which key posted which case. The case itself is read in the cases admin."""

    list_display = ("case", "api_key", "media_url", "created_at")
    list_select_related = ("case", "api_key")
    search_fields = ("api_key__name", "case__number")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Open311Request]:
        path = scope_path(_acting(request))
        return super().get_queryset(request).filter(case__node__path__startswith=path)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
