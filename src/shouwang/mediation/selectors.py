"""Every read of the mediation app, scoped to the acting user. A mediator sees the files of
their own studio only; dispatchers, leaders and admins see the files and risk alerts of their
jurisdiction's subtree (a station's and a town's people see their town). Others see nothing."""

from datetime import date, datetime, time, timedelta

from django.db.models import Prefetch, Q, QuerySet
from django.utils.timezone import get_default_timezone

from shouwang.core.errors import NotFound, PermissionDeniedError
from shouwang.core.models import JurisdictionNode, Role, User
from shouwang.core.roles import COMMAND_ROLES, MEDIATION_WRITER_ROLES, RISK_ALERT_ROLES
from shouwang.core.selectors import scope_q
from shouwang.mediation.models import (
    AlertState,
    MediationFile,
    Obligation,
    Party,
    RiskAlert,
    Session,
)

BEIJING = get_default_timezone()  # settings.TIME_ZONE


def files_visible_q(user: User) -> Q:
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if user.role == Role.MEDIATOR:
        return Q(studio_id=user.unit_id) if user.unit_id is not None else Q(pk__in=[])
    if user.role in COMMAND_ROLES:
        return scope_q(user, via="node")
    return Q(pk__in=[])


def files_list(
    *,
    user: User,
    state: str | None = None,
    studio: str | None = None,
    search: str | None = None,
) -> QuerySet[MediationFile]:
    files = MediationFile.objects.filter(files_visible_q(user)).select_related(
        "studio", "case", "town"
    )
    if state:
        files = files.filter(state=state)
    if studio:
        files = files.filter(studio__code=studio)
    if search:
        files = files.filter(
            Q(case__number__contains=search)
            | Q(case__address__contains=search)
            | Q(claims__contains=search)
        )
    return files.order_by("-accepted_at", "-pk")


def file_get(*, user: User, file_id: int) -> MediationFile:
    """One file with its parties, sessions, agreement and obligations; NotFound (404) when it
    does not exist or the user may not see it."""
    obligations = Prefetch(
        "agreement__obligations",
        queryset=Obligation.objects.select_related("debtor").prefetch_related("payments"),
    )
    found = (
        MediationFile.objects.filter(files_visible_q(user), pk=file_id)
        .select_related("studio", "case", "case__category", "town", "node", "agreement")
        .prefetch_related(
            Prefetch("parties", queryset=Party.objects.order_by("role", "pk")),
            "sessions",
            "mediators",
            "callbacks",
            obligations,
        )
        .first()
    )
    if found is None:
        raise NotFound()
    return found


def file_for_writing(*, user: User, file_id: int) -> MediationFile:
    """The file if `user` may record in it: its studio's mediator, or a leader/admin who sees
    it. NotFound (404) when invisible, PermissionDeniedError (403) for a reader only."""
    found = file_get(user=user, file_id=file_id)
    if user.role not in MEDIATION_WRITER_ROLES:
        raise PermissionDeniedError()
    return found


def sessions_on(*, user: User, day: date) -> QuerySet[Session]:
    """The sessions of `day` (Beijing time) in the files the user sees: a mediator's today."""
    start = datetime.combine(day, time.min, tzinfo=BEIJING)
    return (
        Session.objects.filter(
            at__gte=start,
            at__lt=start + timedelta(days=1),
            file__in=MediationFile.objects.filter(files_visible_q(user)),
        )
        .select_related("file", "file__studio", "file__case")
        .order_by("at", "pk")
    )


def alerts_visible_q(user: User) -> Q:
    if not user.is_authenticated or not user.is_active or user.role not in RISK_ALERT_ROLES:
        return Q(pk__in=[])
    return scope_q(user, via="node")


def alerts_list(
    *,
    user: User,
    node: JurisdictionNode | None = None,
    state: str | None = None,
    overdue: bool | None = None,
    now: datetime | None = None,
) -> QuerySet[RiskAlert]:
    alerts = RiskAlert.objects.filter(alerts_visible_q(user)).select_related(
        "node", "case", "case__category", "followed_up_by", "later_incident"
    )
    if node is not None:
        alerts = alerts.filter(node__path__startswith=node.path)
    if state:
        alerts = alerts.filter(state=state)
    if overdue is not None and now is not None:
        late = Q(state=AlertState.OPEN, follow_up_deadline__lt=now)
        alerts = alerts.filter(late) if overdue else alerts.exclude(late)
    return alerts.order_by("-raised_at", "-pk")


def alert_get(*, user: User, alert_id: int) -> RiskAlert:
    found = alerts_list(user=user).filter(pk=alert_id).first()
    if found is None:
        raise NotFound()
    return found
