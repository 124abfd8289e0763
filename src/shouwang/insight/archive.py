"""Bulletins issued at set times by the worker (settings `SHOUWANG_BULLETIN_SCHEDULE`:
Beijing times; the daily bulletin covers yesterday, the weekly one last week on Mondays, the
monthly one last month on the 1st), kept for the archive page and announced to the leaders
of the node through the notify outbox."""

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone, translation

from shouwang.cases.selectors import SHANGHAI
from shouwang.core.errors import NotFound
from shouwang.core.models import JurisdictionNode, Role, User
from shouwang.core.selectors import node_in_scope, scope_q
from shouwang.insight.bulletin import (
    bulletin_build,
    bulletin_periods,
    days_of,
    render_html,
    render_pdf,
    render_xlsx,
)
from shouwang.insight.models import BulletinIssue
from shouwang.insight.selectors import kpi_access_check
from shouwang.insight.services import rollups_refresh
from shouwang.notify.groups import person_group
from shouwang.notify.models import Channel
from shouwang.notify.services import outbox_enqueue


def _schedule() -> dict[str, time]:
    raw: dict[str, str] = settings.SHOUWANG_BULLETIN_SCHEDULE
    return {kind: time.fromisoformat(at) for kind, at in raw.items()}


def due_issues(now: datetime) -> list[tuple[str, date]]:
    """(kind, a day inside the period) of the bulletins due at `now`."""
    local = now.astimezone(SHANGHAI)
    today, at = local.date(), _schedule()
    due = []
    if local.time() >= at["daily"]:
        due.append(("daily", today - timedelta(days=1)))
    if today.weekday() == 0 and local.time() >= at["weekly"]:
        due.append(("weekly", today - timedelta(days=7)))
    if today.day == 1 and local.time() >= at["monthly"]:
        due.append(("monthly", today - timedelta(days=1)))
    return due


def _reader() -> User | None:
    admins = User.objects.filter(Q(role=Role.ADMIN) | Q(is_superuser=True), is_active=True)
    return admins.order_by("pk").first()


def bulletin_issue(*, kind: str, day: date, node: JurisdictionNode, reader: User) -> BulletinIssue:
    """Builds, stores and announces one bulletin; the same period twice gives the first back."""
    period = bulletin_periods(kind, day)[0]
    existing = BulletinIssue.objects.filter(kind=kind, node=node, first=period.first).first()
    if existing is not None:
        return existing
    rollups_refresh(days=days_of(bulletin_periods(kind, day)))
    with translation.override("zh-hans"):
        built = bulletin_build(user=reader, kind=kind, day=day, node_code=node.code)
        files = {"pdf": render_pdf(built), "xlsx": render_xlsx(built), "html": render_html(built)}
    try:
        with transaction.atomic():
            issue = BulletinIssue.objects.create(
                kind=kind,
                node=node,
                first=period.first,
                last=period.last,
                title=built.title,
                **files,
            )
            for leader in _leaders(node):
                outbox_enqueue(
                    channel=Channel.WEBSOCKET,
                    recipient=person_group(leader.pk),
                    payload={
                        "type": "bulletin",
                        "title": issue.title,
                        "url": f"/bulletins/{issue.pk}/pdf",
                    },
                    idempotency_key=f"insight.bulletin:{issue.pk}:{leader.pk}",
                    node=node,
                    person=leader,
                    subject=issue,
                )
    except IntegrityError:  # issued meanwhile by another worker
        return BulletinIssue.objects.get(kind=kind, node=node, first=period.first)
    return issue


def _leaders(node: JurisdictionNode) -> list[User]:
    """Leaders over `node` or inside it (a town's leader reads the city's bulletin)."""
    leaders = User.objects.filter(role=Role.LEADER, is_active=True).select_related("node")
    return [
        u
        for u in leaders
        if node_in_scope(u, node) or (u.node is not None and u.node.path.startswith(node.path))
    ]


def bulletins_tick(*, now: datetime | None = None) -> int:
    """One round of the worker: every bulletin due at `now` for each top node, once."""
    now = now or timezone.now()
    reader = _reader()
    if reader is None:
        return 0
    issued = 0
    for node in JurisdictionNode.objects.filter(parent__isnull=True):
        for kind, day in due_issues(now):
            first = bulletin_periods(kind, day)[0].first
            if not BulletinIssue.objects.filter(kind=kind, node=node, first=first).exists():
                bulletin_issue(kind=kind, day=day, node=node, reader=reader)
                issued += 1
    return issued


def bulletin_worker_tick() -> int:
    bulletins_tick()
    return 0  # a round a minute is plenty


def bulletins_list(*, user: User) -> QuerySet[BulletinIssue]:
    """The archive: bulletins of nodes in the user's jurisdiction or above it (a town leader
    reads the city's bulletin too), newest first."""
    kpi_access_check(user)
    return BulletinIssue.objects.filter(
        scope_q(user, via="node") | Q(node__path__in=_ancestor_paths(user))
    ).defer("pdf", "xlsx", "html")


def _ancestor_paths(user: User) -> list[str]:
    node = getattr(user, "node", None)
    if node is None:
        return []
    parts = [p for p in node.path.split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def bulletin_get(*, user: User, issue_id: int) -> BulletinIssue:
    found = bulletins_list(user=user).filter(pk=issue_id).first()
    if found is None:
        raise NotFound()
    return BulletinIssue.objects.get(pk=found.pk)
