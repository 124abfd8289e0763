"""Late and missing registrations: an arrival not registered by its due date reminds the
landlords (notify outbox) and, a day later, becomes a case for the grid worker (the loop's
feeders). Each step is taken once per notice: safe to run twice or on two machines."""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shouwang.cases.feeders import CaseChannel, CaseKind, case_open
from shouwang.housing.models import ArrivalNotice, PremisesManager
from shouwang.housing.rules import ESCALATE_AFTER_DAYS
from shouwang.housing.system_actor import housing_system_actor
from shouwang.notify.groups import person_group
from shouwang.notify.models import Channel
from shouwang.notify.services import outbox_enqueue

OVERDUE_CATEGORY = "rental_registration_overdue"
BATCH = 100


def registration_reminders_sweep(*, now: datetime | None = None) -> int:
    """One round: remind for notices past due, open cases for those past the grace day.
    Returns how many notices it acted on."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    handled = 0
    with transaction.atomic():
        due = (
            ArrivalNotice.objects.select_for_update(skip_locked=True)
            .select_related("room__premises__node")
            .filter(tenancy__isnull=True, reminded_at__isnull=True, due_on__lt=today)[:BATCH]
        )
        for notice in due:
            _remind(notice, now)
            handled += 1
    with transaction.atomic():
        overdue = (
            ArrivalNotice.objects.select_for_update(skip_locked=True)
            .select_related("room__premises__node")
            .filter(
                tenancy__isnull=True,
                reminded_at__isnull=False,
                case__isnull=True,
                due_on__lt=today - timedelta(days=ESCALATE_AFTER_DAYS),
            )[:BATCH]
        )
        for notice in overdue:
            _escalate(notice)
            handled += 1
    return handled


def _remind(notice: ArrivalNotice, now: datetime) -> None:
    premises = notice.room.premises
    text = _("%(premises)s %(room)s 房间 %(date)s 入住的租客尚未登记，请尽快登记。") % {
        "premises": premises.name,
        "room": notice.room.number,
        "date": notice.arrived_on.isoformat(),
    }
    for manager in PremisesManager.objects.filter(premises=premises).select_related("user"):
        outbox_enqueue(
            channel=Channel.WEBSOCKET,
            recipient=person_group(manager.user_id),
            payload={"type": "housing.registration_overdue", "text": str(text)},
            idempotency_key=f"housing:arrival:{notice.pk}:remind:{manager.user_id}",
            node=premises.node,
            person=manager.user,
        )
    notice.reminded_at = now
    notice.save(update_fields=["reminded_at"])


def _escalate(notice: ArrivalNotice) -> None:
    premises = notice.room.premises
    notice.case = case_open(
        actor=housing_system_actor(premises.node),
        category_code=OVERDUE_CATEGORY,
        description=str(
            _("%(premises)s %(room)s 房间 %(date)s 入住的租客逾期未登记，请上门核查。")
            % {
                "premises": premises.name,
                "room": notice.room.number,
                "date": notice.arrived_on.isoformat(),
            }
        ),
        channel=CaseChannel.API,
        kind=CaseKind.PATROL_FINDING,
        node=premises.node,
        lat=premises.lat,
        lng=premises.lng,
        address=premises.address or premises.name,
        source="housing.arrival",
        source_ref=str(notice.pk),
    ).case
    notice.save(update_fields=["case"])
