"""The back office for rental housing. Tenants show only masked: their identities are written
by the registration services (never typed here), and a full number is read only through the
audited reveal. Door controllers and landlords are edited here; tenancies, cards and door
events are read-only records."""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from shouwang.core.models import User
from shouwang.core.selectors import scope_q
from shouwang.housing.models import (
    AccessCard,
    DoorController,
    DoorEvent,
    Listing,
    PremisesManager,
    Tenancy,
)


def _scoped(request: HttpRequest, queryset: QuerySet, via: str) -> QuerySet:  # type: ignore[type-arg]
    assert isinstance(request.user, User)
    return queryset.filter(scope_q(request.user, via=via))


class ReadOnly:
    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(PremisesManager)
class PremisesManagerAdmin(admin.ModelAdmin[PremisesManager]):
    list_display = ("premises", "user", "role")
    raw_id_fields = ("premises", "user")
    search_fields = ("premises__code", "premises__name", "user__username")

    def get_queryset(self, request: HttpRequest) -> QuerySet[PremisesManager]:
        queryset = super().get_queryset(request).select_related("premises", "user")
        return _scoped(request, queryset, "premises__node")


@admin.register(DoorController)
class DoorControllerAdmin(admin.ModelAdmin[DoorController]):
    list_display = ("serial", "premises", "list_version", "acked_version", "acked_at")
    raw_id_fields = ("premises",)
    search_fields = ("serial", "premises__code")
    readonly_fields = ("list_version", "acked_version", "acked_at", "last_pushed_at")

    def get_queryset(self, request: HttpRequest) -> QuerySet[DoorController]:
        queryset = super().get_queryset(request).select_related("premises")
        return _scoped(request, queryset, "premises__node")


@admin.register(Tenancy)
class TenancyAdmin(ReadOnly, admin.ModelAdmin[Tenancy]):
    list_display = ("pk", "tenant", "room", "moved_in", "moved_out", "registered_late")
    list_filter = ("registered_late", "over_occupancy")
    fields = ("tenant", "room", "moved_in", "expected_end", "moved_out", "registered_at")
    readonly_fields = fields

    @admin.display(description=_("租客"))
    def tenant(self, tenancy: Tenancy) -> str:
        return str(tenancy.person)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Tenancy]:
        queryset = super().get_queryset(request).select_related("person", "room__premises")
        return _scoped(request, queryset, "room__premises__node")


@admin.register(AccessCard)
class AccessCardAdmin(ReadOnly, admin.ModelAdmin[AccessCard]):
    list_display = ("number", "controller", "issued_at", "revoked_at", "revoke_reason")
    search_fields = ("number",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[AccessCard]:
        queryset = super().get_queryset(request).select_related("controller")
        return _scoped(request, queryset, "tenancy__room__premises__node")


@admin.register(DoorEvent)
class DoorEventAdmin(ReadOnly, admin.ModelAdmin[DoorEvent]):
    list_display = ("at", "controller", "card_number", "opened", "alarm_case")

    def get_queryset(self, request: HttpRequest) -> QuerySet[DoorEvent]:
        queryset = super().get_queryset(request).select_related("controller")
        return _scoped(request, queryset, "controller__premises__node")


@admin.register(Listing)
class ListingAdmin(admin.ModelAdmin[Listing]):
    list_display = ("room", "rent", "area_m2", "available_from", "state")
    list_filter = ("state",)
    raw_id_fields = ("room", "published_by")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Listing]:
        queryset = super().get_queryset(request).select_related("room__premises")
        return _scoped(request, queryset, "room__premises__node")
