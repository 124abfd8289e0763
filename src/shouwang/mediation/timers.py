"""The file's timers, run by workers.tick: the 30-day limit, obligations falling due and
missed. Each marks its row (`overdue_noted_at`, `reminded_at`, `missed_noted_at`) in the same
transaction as its note and notification, so two rounds or two machines never act twice."""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils.translation import gettext as _

from shouwang.mediation import notices
from shouwang.mediation.models import OPEN_FILE_STATES, FileState, MediationFile, Obligation
from shouwang.mediation.risk import BEIJING
from shouwang.mediation.services import note_on_case


def files_overdue_escalate(*, now: datetime, batch: int = 50) -> int:
    """Notes each open file past its time limit on its case once and tells the leaders of its
    town and city. Safe to run twice: a file is claimed under a row lock and marked."""
    handled = 0
    for file_id in MediationFile.objects.filter(
        state__in=OPEN_FILE_STATES, deadline__lt=now, overdue_noted_at__isnull=True
    ).values_list("pk", flat=True)[:batch]:
        with transaction.atomic():
            file = (
                MediationFile.objects.select_for_update(skip_locked=True)
                .filter(pk=file_id, overdue_noted_at__isnull=True)
                .select_related("node", "studio")
                .first()
            )
            if file is None:
                continue
            file.overdue_noted_at = now
            file.save(update_fields=["overdue_noted_at"])
            note_on_case(file, None, _("调解超期未结，已上报"))
            notices.notify_people(
                people=notices.leaders_over(file.node),
                node=file.node,
                payload={"type": "mediation.overdue", "file": file.pk, "case": file.case_id},
                key=f"mediation:overdue:{file.pk}:{file.deadline.isoformat()}",
            )
            handled += 1
    return handled


REMIND_BEFORE = timedelta(days=3)


def obligations_remind(*, now: datetime, batch: int = 50) -> int:
    """Reminds the studio of each obligation due within 3 days, once; notes on the case each
    obligation that passed its due date unpaid, once."""
    handled = 0
    today = now.astimezone(BEIJING).date()
    soon = Obligation.objects.filter(
        performed_at__isnull=True,
        reminded_at__isnull=True,
        due__lte=today + REMIND_BEFORE,
        due__gte=today,
        agreement__file__state=FileState.AGREED,
    ).select_related("agreement__file__studio", "agreement__file__node")
    for obligation in soon[:batch]:
        with transaction.atomic():
            if not Obligation.objects.filter(pk=obligation.pk, reminded_at__isnull=True).update(
                reminded_at=now
            ):
                continue
            file = obligation.agreement.file
            notices.notify_area(
                node=file.node,
                units=[file.studio],
                payload={"type": "mediation.due_soon", "file": file.pk, "due": str(obligation.due)},
                key=f"mediation:due:{obligation.pk}",
            )
            handled += 1
    missed = Obligation.objects.filter(
        performed_at__isnull=True,
        missed_noted_at__isnull=True,
        due__lt=today,
        agreement__file__state=FileState.AGREED,
    ).select_related("agreement__file")
    for obligation in missed[:batch]:
        with transaction.atomic():
            if not Obligation.objects.filter(pk=obligation.pk, missed_noted_at__isnull=True).update(
                missed_noted_at=now
            ):
                continue
            file = obligation.agreement.file
            note_on_case(
                file,
                None,
                _("协议义务逾期未履行：尚欠 ¥%(owed)s") % {"owed": obligation.outstanding},
                obligation=obligation.pk,
            )
            handled += 1
    return handled
