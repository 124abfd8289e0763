from django.contrib import admin

from shouwang.mediation.models import (
    MediationFile,
    Obligation,
    Party,
    Payment,
    RiskAlert,
    RiskThreshold,
    Session,
)


class PartyInline(admin.TabularInline[Party, MediationFile]):
    model = Party
    fields = ("role", "is_company", "name_masked", "phone_masked", "id_number_masked")
    readonly_fields = fields
    extra = 0
    can_delete = False


class SessionInline(admin.TabularInline[Session, MediationFile]):
    model = Session
    fields = ("at", "place", "online", "record")
    extra = 0


@admin.register(MediationFile)
class MediationFileAdmin(admin.ModelAdmin[MediationFile]):
    list_display = ("pk", "studio", "dispute_type", "state", "amount_in_dispute", "deadline")
    list_filter = ("state", "studio")
    raw_id_fields = ("case", "node", "town", "created_by")
    inlines = (PartyInline, SessionInline)


@admin.register(Obligation)
class ObligationAdmin(admin.ModelAdmin[Obligation]):
    list_display = ("pk", "agreement", "amount", "paid", "due", "performed_at")
    raw_id_fields = ("agreement", "debtor")


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin[Payment]):
    list_display = ("pk", "obligation", "amount", "at", "proof")
    raw_id_fields = ("obligation", "recorded_by")


@admin.register(RiskAlert)
class RiskAlertAdmin(admin.ModelAdmin[RiskAlert]):
    list_display = ("pk", "address", "score", "state", "raised_at", "outcome")
    list_filter = ("state", "outcome")
    raw_id_fields = ("case", "node", "followed_up_by", "later_incident")


@admin.register(RiskThreshold)
class RiskThresholdAdmin(admin.ModelAdmin[RiskThreshold]):
    list_display = ("node", "threshold")
    raw_id_fields = ("node",)
