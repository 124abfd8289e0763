"""The back office for devices: the registry (with the spreadsheet import page), platform push
subscriptions (secrets entered once, stored sealed), alarms and incidents to look at, and public
CAP warnings. Everything is scoped to the signed-in person's jurisdiction."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext_lazy as _

from shouwang.core.errors import ApplicationError
from shouwang.core.models import User
from shouwang.core.selectors import scope_q
from shouwang.devices.ingest.directory import registry_changed
from shouwang.devices.models import (
    Alarm,
    CapAlert,
    ContactNotice,
    Device,
    Incident,
    MaintenanceItem,
    Platform,
    PushSubscription,
)
from shouwang.devices.services.cap import cap_alert_cancel
from shouwang.devices.services.device_import import devices_import
from shouwang.devices.services.registry import push_subscription_create


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


class ImportForm(forms.Form):
    file = forms.FileField(label=_("设备表（.xlsx 或 .csv）"))


@admin.register(Device)
class DeviceAdmin(admin.ModelAdmin[Device]):
    list_display = (
        "serial",
        "device_type",
        "premises",
        "room",
        "state",
        "last_seen_at",
        "alarm_count",
        "false_alarm_count",
        "fault_count",
        "simulated",
    )
    list_filter = ("device_type", "state", "platform", "simulated")
    search_fields = ("serial", "imei", "premises__code", "premises__name")
    raw_id_fields = ("premises", "room")
    readonly_fields = (
        "state",
        "last_seen_at",
        "state_changed_at",
        "alarm_count",
        "false_alarm_count",
        "fault_count",
        "battery_level",
        "rsrp",
        "snr",
    )
    change_list_template = "devices/admin_device_changelist.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Device]:
        queryset = super().get_queryset(request).select_related("premises", "room")
        return queryset.filter(scope_q(_user(request), via="premises__node"))

    def save_model(self, request: HttpRequest, obj: Device, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        # Every process's device directory reloads: the interval or premises may have changed.
        transaction.on_commit(registry_changed)

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view(self.import_view)
        return [path("import/", view, name="devices_device_import"), *super().get_urls()]

    def import_view(self, request: HttpRequest) -> HttpResponse:
        form = ImportForm(request.POST or None, request.FILES or None)
        problems: list[dict[str, Any]] = []
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                report = devices_import(
                    actor=_user(request),
                    filename=upload.name,
                    content=upload.read(),
                    request=request,
                )
            except ApplicationError as exc:
                form.add_error("file", str(exc.message))
            else:
                if report.ok:
                    messages.success(
                        request, _("已导入 %(n)d 台设备。") % {"n": report.devices_created}
                    )
                    return redirect("admin:devices_device_changelist")
                problems = report.problems_json()
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "problems": problems,
            "opts": self.model._meta,
            "title": _("从表格导入设备"),
        }
        return render(request, "devices/admin_import.html", context)


class PushSubscriptionForm(forms.ModelForm[PushSubscription]):
    token = forms.CharField(label=_("OneNET token"), required=False)
    url_secret = forms.CharField(label=_("CTWing 推送地址密钥"), required=False, min_length=16)

    class Meta:
        model = PushSubscription
        fields = ("code", "platform", "name", "node", "allowed_sources", "is_active")


@admin.register(PushSubscription)
class PushSubscriptionAdmin(admin.ModelAdmin[PushSubscription]):
    form = PushSubscriptionForm
    list_display = ("code", "platform", "name", "node", "is_active")
    raw_id_fields = ("node",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[PushSubscription]:
        return super().get_queryset(request).filter(scope_q(_user(request), via="node"))

    def save_model(
        self, request: HttpRequest, obj: PushSubscription, form: Any, change: bool
    ) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        created = push_subscription_create(
            code=obj.code,
            platform=Platform(obj.platform),
            name=obj.name,
            node=obj.node,
            token=form.cleaned_data["token"],
            url_secret=form.cleaned_data["url_secret"],
            allowed_sources=obj.allowed_sources,
        )
        obj.pk = created.pk


class NoticeInline(admin.TabularInline[ContactNotice, Incident]):
    model = ContactNotice
    extra = 0
    can_delete = False
    readonly_fields = (
        "role",
        "person",
        "unit",
        "fallback",
        "notified_at",
        "ack_deadline",
        "acked_at",
        "acked_by",
        "ack_via",
        "reminders",
        "escalated_at",
    )
    fields = readonly_fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin[Incident]):
    list_display = ("premises", "kind", "case_id", "opened_at", "closed_at", "station_arrived_at")
    list_filter = ("kind",)
    inlines = (NoticeInline,)
    readonly_fields = (
        "premises",
        "kind",
        "case_id",
        "opened_at",
        "closed_at",
        "close_reason",
        "arrive_deadline",
        "station_arrived_at",
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Incident]:
        queryset = super().get_queryset(request).select_related("premises")
        return queryset.filter(scope_q(_user(request), via="premises__node"))


@admin.register(Alarm)
class AlarmAdmin(admin.ModelAdmin[Alarm]):
    list_display = ("device", "kind", "level", "source", "received_at", "false_alarm", "incident")
    list_filter = ("kind", "source", "false_alarm")
    search_fields = ("device__serial",)
    readonly_fields = [f.name for f in Alarm._meta.fields]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Alarm]:
        queryset = super().get_queryset(request).select_related("device", "incident")
        return queryset.filter(scope_q(_user(request), via="device__premises__node"))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(MaintenanceItem)
class MaintenanceItemAdmin(admin.ModelAdmin[MaintenanceItem]):
    list_display = ("device", "kind", "opened_at", "resolved_at")
    list_filter = ("kind",)
    readonly_fields = ("device", "kind", "opened_at", "resolved_at", "detail", "incident")

    def get_queryset(self, request: HttpRequest) -> QuerySet[MaintenanceItem]:
        queryset = super().get_queryset(request).select_related("device")
        return queryset.filter(scope_q(_user(request), via="device__premises__node"))


@admin.register(CapAlert)
class CapAlertAdmin(admin.ModelAdmin[CapAlert]):
    list_display = ("identifier", "msg_type", "scope", "event", "severity", "sent", "superseded_at")
    list_filter = ("msg_type", "scope", "category")
    readonly_fields = ("identifier", "sender", "sent", "references", "superseded_at")
    raw_id_fields = ("node", "incident")
    actions = ("cancel_alerts",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[CapAlert]:
        return super().get_queryset(request).filter(scope_q(_user(request), via="node"))

    @admin.action(description=_("解除所选预警（发布 Cancel 消息）"))
    def cancel_alerts(self, request: HttpRequest, queryset: QuerySet[CapAlert]) -> None:
        for alert in queryset.filter(superseded_at__isnull=True, msg_type="Alert"):
            cap_alert_cancel(alert=alert)
