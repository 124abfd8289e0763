"""Patrol shifts, tracks, check-ins and findings.

Patrol hours (the documented rule): a shift's hours run from its first to its last recorded
position (track points and check-ins), within sign-on and sign-off. A shift with no positions
is not hours, however long it stayed signed on: presence is what the phone shows, not what the
roster promised. Hours are worked out at sign-off; points for them are awarded once per shift
(rule `patrol_hour`, whole hours)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shouwang.cases.feeders import CaseChannel, CaseKind, case_note, case_open
from shouwang.community import config
from shouwang.community.models import (
    Checkin,
    FindingPhoto,
    PatrolFinding,
    PatrolPost,
    RuleCode,
    Shift,
    TeamMember,
    TrackPoint,
)
from shouwang.community.services.awards import award_grant
from shouwang.community.services.photos import dhash_of
from shouwang.core.errors import Conflict, InvalidInput, NotFound, PermissionDeniedError
from shouwang.core.geo.coords import distance_m
from shouwang.core.models import User
from shouwang.core.selectors import node_in_scope

MAX_BATCH = 500
# Points recorded this long before sign-on or after sign-off (clock skew, a slow sign-off)
# still belong to the shift.
TRACK_GRACE = timedelta(minutes=5)


def _membership(actor: User, team_code: str | None) -> TeamMember:
    memberships = TeamMember.objects.select_related("team__node").filter(person=actor)
    if team_code:
        memberships = memberships.filter(team__code=team_code)
    member = memberships.order_by("-is_leader", "id").first()
    if member is None:
        raise PermissionDeniedError(_("您不是巡防队员。"))
    return member


def shift_open_of(person: User) -> Shift | None:
    return Shift.objects.filter(person=person, ended_at__isnull=True).first()


def shift_start(*, actor: User, team_code: str | None = None) -> Shift:
    """Signs the person on. Conflict (409) when they are already on shift."""
    member = _membership(actor, team_code)
    try:
        with transaction.atomic():
            return Shift.objects.create(
                team=member.team, person=actor, node=member.team.node, started_at=timezone.now()
            )
    except IntegrityError:
        raise Conflict(_("您已在岗，请先下岗。")) from None


@transaction.atomic
def shift_end(*, actor: User) -> Shift:
    """Signs the person off, works out the shift's hours and awards them once."""
    shift = Shift.objects.select_for_update().filter(person=actor, ended_at__isnull=True).first()
    if shift is None:
        raise Conflict(_("您当前不在岗。"))
    shift.ended_at = timezone.now()
    shift.patrol_seconds = patrol_seconds_of(shift)
    shift.save(update_fields=["ended_at", "patrol_seconds"])
    hours = shift.patrol_seconds // 3600
    # Points go to a wallet in the person's town; someone without a jurisdiction earns none.
    if hours > 0 and actor.node_id is not None:
        award_grant(
            source_key=f"shift:{shift.pk}",
            rule=RuleCode.PATROL_HOUR,
            person=actor,
            units=hours,
            memo=_("巡防 %(hours)d 小时") % {"hours": hours},
        )
    return shift


def patrol_seconds_of(shift: Shift) -> int:
    """First to last position within the shift (module docstring); no positions, no hours."""
    end = shift.ended_at or timezone.now()
    window = {"gte": shift.started_at - TRACK_GRACE, "lte": end + TRACK_GRACE}
    times: list[datetime] = list(
        TrackPoint.objects.filter(
            shift=shift,
            recorded_at__gte=window["gte"],
            recorded_at__lte=window["lte"],
        ).values_list("recorded_at", flat=True)
    )
    times += list(Checkin.objects.filter(shift=shift).values_list("at", flat=True))
    if len(times) < 2:
        return 0
    first, last = max(min(times), shift.started_at), min(max(times), end)
    return max(0, int((last - first).total_seconds()))


@dataclass(frozen=True)
class TrackInput:
    seq: int
    recorded_at: datetime
    lat: float
    lng: float


def track_add(*, actor: User, shift_id: int, points: list[TrackInput]) -> int:
    """Adds positions to one of the person's own shifts (sent late after going offline is
    fine). A point already received (same seq) is ignored. Returns how many were new."""
    if len(points) > MAX_BATCH:
        raise InvalidInput(_("一次最多上传 %(n)d 个位置。") % {"n": MAX_BATCH})
    shift = Shift.objects.filter(pk=shift_id, person=actor).first()
    if shift is None:
        raise NotFound()
    end = (shift.ended_at or timezone.now()) + TRACK_GRACE
    rows = [
        TrackPoint(shift=shift, seq=p.seq, recorded_at=p.recorded_at, lat=p.lat, lng=p.lng)
        for p in points
        if shift.started_at - TRACK_GRACE <= p.recorded_at <= end
        and -90 <= p.lat <= 90
        and -180 <= p.lng <= 180
    ]
    before = TrackPoint.objects.filter(shift=shift).count()
    TrackPoint.objects.bulk_create(rows, ignore_conflicts=True)
    added = TrackPoint.objects.filter(shift=shift).count() - before
    if shift.ended_at is not None and added:
        shift.patrol_seconds = patrol_seconds_of(shift)
        shift.save(update_fields=["patrol_seconds"])
    return added


@transaction.atomic
def checkin_record(*, actor: User, post_code: str, lat: float, lng: float) -> Checkin:
    """A scan of the post's QR code with the phone's position. InvalidInput (422) when the
    phone is farther than the set distance; Conflict (409) when the same person checked in at
    this post within the set time. The post's row is locked so a double tap counts once."""
    post = PatrolPost.objects.select_for_update().filter(code=post_code, is_active=True).first()
    if post is None or not node_in_scope(actor, post.node):
        raise NotFound(_("找不到该巡防点。"))
    distance = distance_m(lng, lat, post.lng, post.lat)
    radius = config.checkin_radius_m()
    if distance > radius:
        raise InvalidInput(
            _("距离巡防点 %(d)d 米，超过 %(r)d 米，不能打卡。") % {"d": distance, "r": radius},
            extra={"distance_m": int(distance), "radius_m": radius},
        )
    now = timezone.now()
    since = now - timedelta(minutes=config.checkin_interval_min())
    if Checkin.objects.filter(person=actor, post=post, at__gte=since).exists():
        raise Conflict(
            _("%(m)d 分钟内已在此点打卡。") % {"m": config.checkin_interval_min()},
            extra={"interval_min": config.checkin_interval_min()},
        )
    checkin = Checkin.objects.create(
        post=post,
        person=actor,
        shift=shift_open_of(actor),
        lat=lat,
        lng=lng,
        distance_m=int(distance),
        at=now,
    )
    award_grant(
        source_key=f"checkin:{checkin.pk}",
        rule=RuleCode.CHECKIN,
        person=actor,
        memo=_("巡防打卡：%(post)s") % {"post": post.name},
    )
    return checkin


def finding_report(
    *,
    actor: User,
    category_code: str,
    description: str,
    lat: float,
    lng: float,
    photos: list[File[bytes]],
) -> PatrolFinding:
    """A patrol finding goes into the loop as a case (channel patrol, kind patrol finding);
    its photos' fingerprints are kept so the same picture cannot earn twice."""
    if not description.strip():
        raise InvalidInput(_("请描述发现的情况。"))
    hashes = []
    for photo in photos:
        try:
            hashes.append(dhash_of(photo))
        except (OSError, ValueError):
            raise InvalidInput(_("照片无法识别。")) from None
        photo.seek(0)
    with transaction.atomic():
        opened = case_open(
            actor=actor,
            category_code=category_code,
            description=description,
            channel=CaseChannel.PATROL,
            kind=CaseKind.PATROL_FINDING,
            lat=lat,
            lng=lng,
            source="community.finding",
        )
        finding = PatrolFinding.objects.create(
            case=opened.case, person=actor, shift=shift_open_of(actor)
        )
        for photo, dhash in zip(photos, hashes, strict=True):
            FindingPhoto.objects.create(finding=finding, image=photo, dhash=dhash)
        if photos:
            case_note(
                case=opened.case,
                actor=actor,
                text=_("巡防发现附照片 %(n)d 张。") % {"n": len(photos)},
                source="community.finding",
                data={"photos": [p.image.url for p in finding.photos.all()]},
            )
    return finding
