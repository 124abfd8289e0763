"""Back office of community forces. Ledger entries and awards are read-only here: the ledger is
changed only through its services (a mistake is reversed by a new entry, never edited)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from shouwang.community.models import (
    BodyTerminal,
    CatalogueItem,
    EarningRule,
    GroupMember,
    PatrolPost,
    PointAccount,
    PointAward,
    PointEntry,
    Redemption,
    RosterSlot,
    TeamMember,
    UnitRating,
)


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(EarningRule)
class EarningRuleAdmin(admin.ModelAdmin[EarningRule]):
    list_display = ("code", "town", "points", "daily_cap", "is_active")
    list_filter = ("code", "is_active")


@admin.register(CatalogueItem)
class CatalogueItemAdmin(admin.ModelAdmin[CatalogueItem]):
    list_display = ("code", "name", "town", "points", "is_cash", "is_active")
    list_filter = ("is_active", "is_cash")
    search_fields = ("code", "name")


@admin.register(PointEntry)
class PointEntryAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "kind", "debit", "credit", "amount", "memo")
    list_filter = ("kind",)
    list_select_related = ("debit__person", "credit__person", "debit__town", "credit__town")


@admin.register(PointAward)
class PointAwardAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "source_key", "rule", "person", "points", "state", "reason")
    list_filter = ("rule", "state")
    search_fields = ("source_key",)


@admin.register(PointAccount)
class PointAccountAdmin(ReadOnlyAdmin):
    list_display = ("kind", "town", "person")
    list_filter = ("kind",)


@admin.register(Redemption)
class RedemptionAdmin(ReadOnlyAdmin):
    list_display = ("requested_at", "person", "item", "quantity", "points", "state")
    list_filter = ("state",)


@admin.register(TeamMember)
class TeamMemberAdmin(admin.ModelAdmin[TeamMember]):
    list_display = ("team", "person", "is_leader")
    raw_id_fields = ("person",)


@admin.register(RosterSlot)
class RosterSlotAdmin(admin.ModelAdmin[RosterSlot]):
    list_display = ("team", "person", "weekday", "starts", "ends")
    raw_id_fields = ("person",)


@admin.register(PatrolPost)
class PatrolPostAdmin(admin.ModelAdmin[PatrolPost]):
    list_display = ("code", "name", "kind", "node", "team", "is_active")
    search_fields = ("code", "name")


@admin.register(GroupMember)
class GroupMemberAdmin(admin.ModelAdmin[GroupMember]):
    list_display = ("group", "person", "household", "is_head", "has_alarm_button")
    raw_id_fields = ("person",)


@admin.register(BodyTerminal)
class BodyTerminalAdmin(admin.ModelAdmin[BodyTerminal]):
    list_display = ("serial", "node", "person", "last_report_at")
    raw_id_fields = ("person",)
    search_fields = ("serial",)


@admin.register(UnitRating)
class UnitRatingAdmin(ReadOnlyAdmin):
    list_display = ("month", "unit", "patrol_hours", "alerts_answered", "score", "stars")
    list_filter = ("month", "stars")
