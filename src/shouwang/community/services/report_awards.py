"""Points for verified reports: the loop's closed-and-verified cases filed by volunteers are
read through `cases.feeders` and each awarded once (`source_key` "case:<id>"), however often
the case is verified and closed again and however many workers run this at once.

The mark is the latest closing time read; each round reads again from a little before it
(`OVERLAP`), so a case whose closing committed late, behind a newer one, is not skipped; the
award's unique key makes the re-read harmless."""

import logging
from datetime import datetime, timedelta

from django.core.files.storage import default_storage
from django.db import transaction

from shouwang.cases.feeders import (
    CaseKind,
    VerifiedCase,
    case_reporter_photos,
    cases_closed_verified_since,
)
from shouwang.community.models import PatrolFinding, PointAward, RuleCode, WorkerMark
from shouwang.community.services.awards import award_grant
from shouwang.community.services.photos import dhash_of
from shouwang.core.models import Role, User

logger = logging.getLogger(__name__)
MARK = "community.report_awards"
OVERLAP = timedelta(minutes=10)
RULE_BY_KIND = {
    CaseKind.REPORT: RuleCode.REPORT_VERIFIED,
    CaseKind.PATROL_FINDING: RuleCode.HAZARD_CONFIRMED,
    CaseKind.HAZARD: RuleCode.HAZARD_CONFIRMED,
}
# Who earns: volunteers (平安志愿者), the citizens and patrol members who sign in to report.
EARNING_ROLES = (Role.VOLUNTEER,)
BATCH = 500
PAGES_PER_TICK = 20


def report_awards_tick() -> int:
    """One round: award what was verified since the mark. Returns how many awards it made."""
    mark, _created = WorkerMark.objects.get_or_create(name=MARK)
    since = mark.value - OVERLAP if mark.value is not None else None
    made, newest = 0, None
    for _page in range(PAGES_PER_TICK):
        cases = cases_closed_verified_since(
            closed_after=since, kinds=[str(k) for k in RULE_BY_KIND], limit=BATCH
        )
        if not cases:
            break
        made += _award(cases)
        # Pages follow the closing time, so a window fuller than one page still moves on.
        newest = since = cases[-1].closed_at
        if len(cases) < BATCH:
            break
    if newest is not None:
        _mark_advance(newest)
    return made


def _mark_advance(newest: datetime) -> None:
    with transaction.atomic():
        locked = WorkerMark.objects.select_for_update().get(name=MARK)
        if locked.value is None or newest > locked.value:
            locked.value = newest
            locked.save(update_fields=["value", "updated_at"])


def _award(cases: list[VerifiedCase]) -> int:
    keys = {f"case:{c.case_id}" for c in cases}
    done = set(PointAward.objects.filter(source_key__in=keys).values_list("source_key", flat=True))
    todo = [c for c in cases if f"case:{c.case_id}" not in done]
    people = User.objects.in_bulk({c.created_by_id for c in todo})
    photos = _finding_photos([c.case_id for c in todo if c.kind == CaseKind.PATROL_FINDING])
    photos.update(_report_photos([c.case_id for c in todo if c.kind != CaseKind.PATROL_FINDING]))
    made = 0
    for case in todo:
        person = people.get(case.created_by_id)
        if person is None or person.role not in EARNING_ROLES or person.node_id is None:
            continue
        award_grant(
            source_key=f"case:{case.case_id}",
            rule=RULE_BY_KIND[CaseKind(case.kind)],
            person=person,
            lat=case.lat,
            lng=case.lng,
            photo_hashes=photos.get(case.case_id, []),
            memo=f"#{case.case_id}",
        )
        made += 1
    return made


def _finding_photos(case_ids: list[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for finding in PatrolFinding.objects.filter(case_id__in=case_ids).prefetch_related("photos"):
        found[finding.case_id] = [p.dhash for p in finding.photos.all()]
    return found


def _report_photos(case_ids: list[int]) -> dict[int, list[str]]:
    """dHashes of the photos the reporters attached (an unreadable file is skipped: the
    attachment was checked by Pillow when it was stored)."""
    hashes: dict[int, list[str]] = {}
    for case_id, names in case_reporter_photos(case_ids=case_ids).items():
        for name in names:
            try:
                with default_storage.open(name, "rb") as stored:
                    hashes.setdefault(case_id, []).append(dhash_of(stored))
            except (OSError, ValueError):
                logger.warning("photo %s of case %s could not be fingerprinted", name, case_id)
    return hashes
