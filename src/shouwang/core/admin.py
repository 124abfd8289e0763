"""The back office. Person changes go through services where they must be audited: role changes
and every change of groups, permissions, staff or superuser flags."""

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from shouwang.core.models import (
    ApiToken,
    AuditAction,
    AuditEntry,
    JurisdictionNode,
    Unit,
    User,
)
from shouwang.core.selectors import scope_path_q
from shouwang.core.services.audit import audit_record
from shouwang.core.services.pii import pii_assign
from shouwang.core.services.second_factor import second_factor_reset
from shouwang.core.services.signin import signin_unlock
from shouwang.core.services.tokens import tokens_revoke_all
from shouwang.core.signin_views import admin_login

# The admin site signs in through the staff page, which asks for the second factor.
admin.site.login = admin_login  # type: ignore[method-assign]

PERMISSION_FIELDS = ("is_staff", "is_superuser", "is_active", "role")


def _scoped(request: HttpRequest, queryset: QuerySet[Any], path_lookup: str) -> QuerySet[Any]:
    assert isinstance(request.user, User)
    return queryset.filter(scope_path_q(request.user, path_lookup))


@admin.register(JurisdictionNode)
class JurisdictionNodeAdmin(admin.ModelAdmin[JurisdictionNode]):
    list_display = ("code", "name", "level", "kind", "parent")
    list_filter = ("level", "kind")
    search_fields = ("code", "name")
    raw_id_fields = ("parent",)
    readonly_fields = ("path",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[JurisdictionNode]:
        return _scoped(request, super().get_queryset(request).select_related("parent"), "path")


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin[Unit]):
    list_display = ("code", "name", "kind", "node", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("code", "name")
    raw_id_fields = ("node", "parent")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Unit]:
        return _scoped(request, super().get_queryset(request).select_related("node"), "node__path")


class PersonForm(UserChangeForm[User]):
    phone = forms.CharField(label=_("手机号（留空不改）"), required=False)
    id_number = forms.CharField(label=_("身份证号（留空不改）"), required=False)

    class Meta:
        model = User
        fields = (
            "username",
            "password",
            "full_name",
            "role",
            "node",
            "unit",
            "is_active",
            "is_staff",
            "is_superuser",
            "groups",
            "user_permissions",
            "last_login",
            "date_joined",
        )

    def clean(self) -> dict[str, Any]:
        from shouwang.core.errors import InvalidInput

        data = super().clean() or {}
        for field in ("phone", "id_number"):
            if data.get(field):
                try:
                    pii_assign(self.instance, field=field, value=data[field])
                except InvalidInput as exc:
                    self.add_error(field, str(exc.message))
        return data


@admin.register(User)
class PersonAdmin(UserAdmin[User]):
    form = PersonForm
    list_display = ("username", "full_name", "role", "node", "phone_masked", "is_active")
    list_filter = ("role", "is_active", "is_staff")
    search_fields = ("username", "full_name")
    raw_id_fields = ("node", "unit")
    readonly_fields = ("phone_masked", "id_number_masked", "last_login", "date_joined")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("身份"), {"fields": ("full_name", "role", "node", "unit")}),
        (
            _("个人信息（加密存储）"),
            {"fields": ("phone_masked", "phone", "id_number_masked", "id_number")},
        ),
        (
            _("权限"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("时间"), {"fields": ("last_login", "date_joined")}),
    )

    actions = ("unlock_sign_in", "end_all_tokens", "reset_second_factor")

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        return _scoped(request, super().get_queryset(request).select_related("node"), "node__path")

    @admin.action(description=_("解除登录锁定"), permissions=["change"])
    def unlock_sign_in(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        actor = request.user if isinstance(request.user, User) else None
        for person in queryset:
            signin_unlock(username=person.username, actor=actor, request=request)
        self.message_user(request, _("已解除所选人员的登录锁定。"))

    @admin.action(description=_("使其全部 API 令牌失效"), permissions=["change"])
    def end_all_tokens(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        actor = request.user if isinstance(request.user, User) else None
        for person in queryset:
            tokens_revoke_all(person=person, actor=actor, reason="admin", request=request)
        self.message_user(request, _("所选人员的 API 令牌已全部失效。"))

    @admin.action(description=_("重置双因素认证（下次登录重新绑定）"), permissions=["change"])
    def reset_second_factor(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        actor = request.user if isinstance(request.user, User) else None
        for person in queryset:
            second_factor_reset(user=person, actor=actor, request=request)
        self.message_user(request, _("已重置所选人员的双因素认证。"))

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        person = form.instance
        before = getattr(form, "permission_state_before", {})
        super().save_related(request, form, formsets, change)
        after = _permission_state(person)
        if before != after:
            audit_record(
                action=AuditAction.PERMISSION_CHANGED,
                actor=request.user if isinstance(request.user, User) else None,
                request=request,
                target=person,
                detail={"before": before, "after": after},
            )

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        # Read before saving: save_related runs after the user row is already written.
        if change:
            form.permission_state_before = _permission_state(User.objects.get(pk=obj.pk))
        super().save_model(request, obj, form, change)


def _permission_state(person: User) -> dict[str, Any]:
    state: dict[str, Any] = {field: getattr(person, field) for field in PERMISSION_FIELDS}
    if person.pk:
        state["groups"] = sorted(person.groups.values_list("name", flat=True))
        state["permissions"] = sorted(person.user_permissions.values_list("codename", flat=True))
    return state


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin[AuditEntry]):
    """Read-only: the log is evidence. Filter by action, result and day; search by account."""

    list_display = ("at", "actor_username", "action", "result", "target_repr", "ip")
    list_filter = ("action", "result", ("at", admin.DateFieldListFilter))
    search_fields = ("actor_username", "target_repr", "target_id", "ip")
    date_hierarchy = "at"
    list_per_page = 100

    def get_queryset(self, request: HttpRequest) -> QuerySet[AuditEntry]:
        return _scoped(request, super().get_queryset(request), "node_path")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    list_display = ("prefix", "user", "created_at", "expires_at", "last_used_at", "revoked_at")
    readonly_fields = ("user", "digest", "prefix", "created_at", "expires_at", "last_used_at")
    search_fields = ("user__username", "prefix")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
