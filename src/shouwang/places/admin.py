"""The back office for premises: rooms and the five alarm contacts are edited inline."""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from shouwang.core.models import User
from shouwang.core.selectors import scope_q
from shouwang.places.models import AlarmContact, Premises, Room


class RoomInline(admin.TabularInline[Room, Premises]):
    model = Room
    extra = 0


class AlarmContactInline(admin.TabularInline[AlarmContact, Premises]):
    model = AlarmContact
    extra = 0
    raw_id_fields = ("person", "unit")
    fields = ("role", "order", "person", "unit", "extra_channel", "extra_recipient")


@admin.register(Premises)
class PremisesAdmin(admin.ModelAdmin[Premises]):
    list_display = ("code", "name", "kind", "node", "address")
    list_filter = ("kind",)
    search_fields = ("code", "name", "address")
    raw_id_fields = ("node",)
    readonly_fields = ("qr_token",)
    inlines = (RoomInline, AlarmContactInline)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Premises]:
        assert isinstance(request.user, User)
        queryset = super().get_queryset(request).select_related("node")
        return queryset.filter(scope_q(request.user, via="node"))
