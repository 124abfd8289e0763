"""The back office: checklists (edited inline; "new version" copies one so inspections keep the
version they used), legal provisions, and read-mostly views of inspections and hazards."""

from django.contrib import admin, messages
from django.db import transaction
from django.db.models import Max, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from shouwang.core.models import User
from shouwang.core.selectors import scope_q
from shouwang.inspections.models import (
    ChecklistItem,
    ChecklistTemplate,
    Enforcement,
    Hazard,
    HazardStep,
    Inspection,
    InspectionPlan,
    PlanEntry,
    Provision,
    StarRecord,
)


class ChecklistItemInline(admin.TabularInline[ChecklistItem, ChecklistTemplate]):
    model = ChecklistItem
    extra = 0
    fields = (
        "order",
        "code",
        "text",
        "severity",
        "required",
        "photo_required",
        "legal_basis",
        "category_code",
    )


@admin.register(ChecklistTemplate)
class ChecklistTemplateAdmin(admin.ModelAdmin[ChecklistTemplate]):
    list_display = ("code", "name", "version", "premises_kind", "is_current")
    list_filter = ("premises_kind", "is_current")
    search_fields = ("code", "name")
    inlines = (ChecklistItemInline,)
    actions = ("new_version",)

    @admin.action(description=_("复制为新版本（原版本保留给已有检查记录）"))
    def new_version(self, request: HttpRequest, queryset: QuerySet[ChecklistTemplate]) -> None:
        for template in queryset:
            copy = template_new_version(template=template)
            messages.info(request, f"{copy.code} v{copy.version}")


@transaction.atomic
def template_new_version(*, template: ChecklistTemplate) -> ChecklistTemplate:
    latest = ChecklistTemplate.objects.filter(code=template.code).aggregate(v=Max("version"))["v"]
    ChecklistTemplate.objects.filter(code=template.code).update(is_current=False)
    copy = ChecklistTemplate.objects.create(
        code=template.code,
        name=template.name,
        premises_kind=template.premises_kind,
        version=(latest or 0) + 1,
        is_current=True,
    )
    ChecklistItem.objects.bulk_create(
        ChecklistItem(
            template=copy,
            code=i.code,
            text=i.text,
            severity=i.severity,
            required=i.required,
            photo_required=i.photo_required,
            legal_basis=i.legal_basis,
            category_code=i.category_code,
            order=i.order,
        )
        for i in template.items.all()
    )
    return copy


@admin.register(Provision)
class ProvisionAdmin(admin.ModelAdmin[Provision]):
    list_display = ("code", "law", "article", "party", "fine_min", "fine_max", "is_active")
    list_filter = ("law", "party", "is_active")
    search_fields = ("code", "law", "article", "summary")


class ScopedAdmin:
    def scoped(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:  # type: ignore[type-arg]
        user = request.user
        return queryset.filter(scope_q(user, via="node")) if isinstance(user, User) else queryset


@admin.register(Inspection)
class InspectionAdmin(ScopedAdmin, admin.ModelAdmin[Inspection]):
    list_display = ("id", "premises", "template", "inspector", "created_at", "failed_count")
    list_filter = ("far_from_premises",)
    search_fields = ("premises__code", "premises__name")
    raw_id_fields = ("premises", "template", "inspector", "node")
    readonly_fields = ("idempotency_key", "distance_m", "far_from_premises")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Inspection]:
        return self.scoped(request, super().get_queryset(request))


class HazardStepInline(admin.TabularInline[HazardStep, Hazard]):
    model = HazardStep
    extra = 0
    can_delete = False
    readonly_fields = ("kind", "round", "actor", "note", "at")


@admin.register(Hazard)
class HazardAdmin(ScopedAdmin, admin.ModelAdmin[Hazard]):
    """Read-only: every change of a hazard goes through its services (and the loop)."""

    list_display = ("case_id", "premises", "level", "status", "rounds", "deadline", "closed_at")
    list_filter = ("level", "status")
    search_fields = ("premises__code", "premises__name")
    inlines = (HazardStepInline,)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Hazard]:
        return self.scoped(request, super().get_queryset(request))

    def has_change_permission(self, request: HttpRequest, obj: Hazard | None = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Enforcement)
class EnforcementAdmin(admin.ModelAdmin[Enforcement]):
    list_display = ("number", "kind", "provision", "amount", "decided_by", "decided_at")
    list_filter = ("kind",)
    search_fields = ("number",)

    def has_change_permission(self, request: HttpRequest, obj: Enforcement | None = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(StarRecord)
class StarRecordAdmin(admin.ModelAdmin[StarRecord]):
    list_display = ("premises", "stars", "computed_at")
    raw_id_fields = ("premises",)


class PlanEntryInline(admin.TabularInline[PlanEntry, InspectionPlan]):
    model = PlanEntry
    extra = 0
    raw_id_fields = ("premises",)


@admin.register(InspectionPlan)
class InspectionPlanAdmin(ScopedAdmin, admin.ModelAdmin[InspectionPlan]):
    list_display = ("name", "node", "year", "created_at")
    list_filter = ("year",)
    raw_id_fields = ("node", "created_by")
    inlines = (PlanEntryInline,)

    def get_queryset(self, request: HttpRequest) -> QuerySet[InspectionPlan]:
        return self.scoped(request, super().get_queryset(request))
