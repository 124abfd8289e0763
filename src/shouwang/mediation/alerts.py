"""Writes of the 民转刑 follow-up loop: score a dispute call, raise (or strengthen) the alert for
its place, follow it up, escalate an overdue follow-up, and link a later violent incident at
the same place back to the alert. The score itself comes from `risk.risk_score` alone."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from shouwang.cases import feeders
from shouwang.core.errors import Conflict, InvalidInput, PermissionDeniedError
from shouwang.core.models import JurisdictionNode, User
from shouwang.core.roles import RISK_ALERT_ROLES
from shouwang.core.selectors import node_lineage
from shouwang.mediation import notices
from shouwang.mediation.models import (
    AlertState,
    FileState,
    FollowUpMethod,
    FollowUpOutcome,
    MediationFile,
    RiskAlert,
    RiskScore,
    RiskThreshold,
)
from shouwang.mediation.risk import (
    PLACE_RADIUS_M,
    VIOLENT_CATEGORIES,
    repeat_calls,
    risk_score,
)
from shouwang.mediation.selectors import alert_get

SOURCE = "mediation.risk"
FOLLOW_UP_WITHIN = timedelta(hours=24)
AGREEMENT_LOOKBACK = timedelta(days=365)
INCIDENT_LOOKBACK = timedelta(days=90)


def threshold_for(node: JurisdictionNode) -> float:
    """The deepest threshold set on `node` or an ancestor, else the setting
    SHOUWANG_RISK_THRESHOLD (0.5 unless configured)."""
    lineage = node_lineage(node=node)
    by_node = dict(
        RiskThreshold.objects.filter(node__in=lineage).values_list("node_id", "threshold")
    )
    for ancestor in reversed(lineage):
        if ancestor.pk in by_node:
            return float(by_node[ancestor.pk])
    return float(settings.SHOUWANG_RISK_THRESHOLD)


def _near_ids(case: feeders.Case, since: datetime) -> list[int]:
    return [
        c.id
        for c in feeders.cases_near(
            lat=case.lat, lng=case.lng, address=case.address, since=since, radius_m=PLACE_RADIUS_M
        )
    ]


def _open_agreement_nearby(case: feeders.Case) -> bool:
    ids = _near_ids(case, case.received_at - AGREEMENT_LOOKBACK)
    return MediationFile.objects.filter(case_id__in=ids, state=FileState.AGREED).exists()


def risk_case_score(*, case: feeders.Case, trigger: str = "intake") -> RiskScore | None:
    """Scores `case` once for `trigger` and raises the alert when the score reaches its
    jurisdiction's threshold. None when it was scored already (a second sweep does nothing)."""
    score, reasons = risk_score(case=case, open_agreement_nearby=_open_agreement_nearby(case))
    try:
        with transaction.atomic():
            alerted = trigger == "intake" and score >= threshold_for(case.node)
            scored = RiskScore.objects.create(
                case=case, trigger=trigger, score=score, reasons=reasons, alerted=alerted
            )
            if alerted:
                alert_raise(case=case, score=score, reasons=reasons)
    except IntegrityError:
        return None
    return scored


def alert_raise(*, case: feeders.Case, score: float, reasons: list[str]) -> RiskAlert:
    """Opens the alert for `case`'s place, or strengthens the open one there (one alert per
    place), pushes it to the station and the town command room, and notes it on the case."""
    now = timezone.now()
    near = [c.id for c in repeat_calls(case)]
    alert = (
        RiskAlert.objects.select_for_update()
        .filter(state=AlertState.OPEN, case_id__in=near)
        .order_by("-raised_at")
        .first()
    )
    if alert is None:
        alert = RiskAlert.objects.create(
            case=case,
            node=case.node,
            address=case.address,
            lat=case.lat,
            lng=case.lng,
            score=score,
            reasons=reasons,
            related_case_ids=near,
            raised_at=now,
            follow_up_deadline=now + FOLLOW_UP_WITHIN,
        )
    else:
        # The alert shows the reasons of its highest score (the latest repeat count).
        if score >= alert.score:
            alert.score, alert.reasons = score, reasons
        alert.related_case_ids = sorted({*alert.related_case_ids, *near, case.pk})
        alert.save(update_fields=["score", "reasons", "related_case_ids"])
    feeders.case_note(
        case=case.pk,
        actor=None,
        text=_("民转刑风险预警（%(score).2f）：%(reasons)s")
        % {"score": score, "reasons": "；".join(reasons)},
        source=SOURCE,
        data={"alert": alert.pk, "score": score},
    )
    notices.notify_area(
        node=case.node,
        payload={
            "type": "mediation.risk_alert",
            "alert": alert.pk,
            "case": case.pk,
            "score": score,
            "reasons": reasons,
            "address": case.address,
        },
        key=f"mediation:alert:{alert.pk}:case:{case.pk}",
        subject=alert,
    )
    return alert


@transaction.atomic
def alert_follow_up(
    *,
    actor: User,
    alert_id: int,
    outcome: str,
    note: str = "",
    method: str = FollowUpMethod.VISIT,
    now: datetime | None = None,
) -> RiskAlert:
    """Records the visit or call that followed the alert up, with its outcome. NotFound (404)
    outside the actor's area; Conflict (409) when it was followed up already."""
    alert = alert_get(user=actor, alert_id=alert_id)
    if actor.role not in RISK_ALERT_ROLES:
        raise PermissionDeniedError()
    if outcome not in FollowUpOutcome.values:
        raise InvalidInput(_("请选择跟进结果。"), extra={"field": "outcome"})
    if method not in FollowUpMethod.values:
        raise InvalidInput(_("请选择跟进方式。"), extra={"field": "method"})
    alert = RiskAlert.objects.select_for_update().get(pk=alert.pk)
    if alert.state != AlertState.OPEN:
        raise Conflict(_("该预警已跟进。"))
    alert.state, alert.followed_up_at, alert.followed_up_by = (
        AlertState.FOLLOWED_UP,
        now or timezone.now(),
        actor,
    )
    alert.outcome, alert.method, alert.note = outcome, method, note.strip()
    alert.save(
        update_fields=["state", "followed_up_at", "followed_up_by", "outcome", "method", "note"]
    )
    feeders.case_note(
        case=alert.case_id,
        actor=actor,
        text=_("风险预警已跟进（%(method)s）：%(outcome)s")
        % {
            "method": FollowUpMethod(method).label,
            "outcome": FollowUpOutcome(outcome).label,
        },
        source=SOURCE,
        data={"alert": alert.pk, "outcome": outcome},
    )
    return alert


def alerts_escalate(*, now: datetime, batch: int = 50) -> int:
    """Tells the leaders of each alert's town and city once when its 24 hours ran out
    without a follow-up, and notes it on the case."""
    handled = 0
    late = RiskAlert.objects.filter(
        state=AlertState.OPEN, follow_up_deadline__lt=now, escalated_at__isnull=True
    ).values_list("pk", flat=True)
    for alert_id in late[:batch]:
        with transaction.atomic():
            alert = (
                RiskAlert.objects.select_for_update(skip_locked=True)
                .filter(pk=alert_id, escalated_at__isnull=True, state=AlertState.OPEN)
                .select_related("node")
                .first()
            )
            if alert is None:
                continue
            alert.escalated_at = now
            alert.save(update_fields=["escalated_at"])
            feeders.case_note(
                case=alert.case_id,
                actor=None,
                text=_("风险预警超过24小时未跟进，已上报"),
                source=SOURCE,
                data={"alert": alert.pk},
            )
            notices.notify_people(
                people=notices.leaders_over(alert.node),
                node=alert.node,
                payload={"type": "mediation.risk_alert_overdue", "alert": alert.pk},
                key=f"mediation:alert-overdue:{alert.pk}",
            )
            handled += 1
    return handled


def incident_link(*, case: feeders.Case) -> RiskAlert | None:
    """Links a violent incident (a fight, domestic violence) to the latest alert raised at the
    same place before it, once, and notes the link on the alert's case; the scores of earlier
    dispute calls at the place, flagged or not, remember it too (for the figures)."""
    if case.category.code not in VIOLENT_CATEGORIES:
        return None
    near = _near_ids(case, case.received_at - INCIDENT_LOOKBACK)
    place = Q(case_id__in=near)
    with transaction.atomic():
        RiskScore.objects.filter(
            case_id__in=near, trigger="intake", later_incident__isnull=True
        ).exclude(case_id=case.pk).update(later_incident=case)
        alert = (
            RiskAlert.objects.select_for_update()
            .filter(place, later_incident__isnull=True, raised_at__lte=case.received_at)
            .exclude(case_id=case.pk)
            .order_by("-raised_at")
            .first()
        )
        if alert is None:
            return None
        alert.later_incident_id = case.pk
        alert.save(update_fields=["later_incident"])
        feeders.case_note(
            case=alert.case_id,
            actor=None,
            text=_("预警地点后续发生暴力事件（事件 %(number)s）")
            % {"number": case.number or case.pk},
            source=SOURCE,
            data={"alert": alert.pk, "incident": case.pk},
        )
    return alert
