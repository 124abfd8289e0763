"""What people do about an alarm: each of the five contacts acknowledges (phone page, API, or the
signed link of a DingTalk/WeCom card); the micro fire station reports arrival, timed against one
minute (seed 002); someone on the spot marks a false alarm, counted against the device. Contacts
who do not acknowledge in time are reminded, then escalated (`alarm_notices_sweep`)."""

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shouwang.core.errors import InvalidInput, NotFound, PermissionDeniedError
from shouwang.core.models import User
from shouwang.core.roles import COMMAND_ROLES
from shouwang.core.selectors import node_in_scope
from shouwang.devices import case_bridge, contact_cards
from shouwang.devices.models import Alarm, ContactNotice, Device, Incident
from shouwang.devices.services.incidents import ack_window, incident_close
from shouwang.places.models import ContactRole

SWEEP_BATCH = 100


def max_reminders() -> int:
    return int(settings.SHOUWANG_ALARM_REMINDERS)


def _mine(user: User) -> Q:
    q = Q(person_id=user.pk)
    if user.unit_id is not None:
        q |= Q(person__isnull=True, unit_id=user.unit_id)
    return q


def _alarm_for(actor: User, alarm_id: int) -> Alarm:
    """The alarm, if the actor is one of its incident's contacts or sees its premises."""
    alarm = (
        Alarm.objects.select_related("device", "device__premises__node", "incident")
        .filter(pk=alarm_id)
        .first()
    )
    if alarm is None or alarm.incident is None:
        raise NotFound()
    is_contact = alarm.incident.notices.filter(_mine(actor)).exists()
    if not (is_contact or node_in_scope(actor, alarm.device.premises.node)):
        raise NotFound()
    return alarm


def _lock_notices(incident_id: int, actor: User) -> QuerySet[ContactNotice]:
    return ContactNotice.objects.select_for_update().filter(_mine(actor), incident_id=incident_id)


@transaction.atomic
def alarm_acknowledge(*, actor: User, alarm_id: int, via: str = "api") -> list[ContactNotice]:
    """The actor acknowledges for every role they (or their unit) hold on the alarm's incident.
    Acknowledging again changes nothing. Someone who is no contact of it gets 403."""
    alarm = _alarm_for(actor, alarm_id)
    assert alarm.incident is not None
    notices = list(_lock_notices(alarm.incident.pk, actor))
    if not notices:
        raise PermissionDeniedError(_("您不是该报警的联系人。"))
    for notice in notices:
        notice_acknowledge(notice=notice, actor=actor, via=via)
    return notices


def notice_acknowledge(*, notice: ContactNotice, actor: User | None, via: str) -> bool:
    """Marks one notice acknowledged (inside the caller's transaction); False if it already
    was. `actor` is None for the signed link of a unit's group card."""
    if notice.acked_at is not None:
        return False
    notice.acked_at, notice.acked_by, notice.ack_via = timezone.now(), actor, via[:16]
    notice.save(update_fields=["acked_at", "acked_by", "ack_via"])
    case_bridge.contact_acknowledged(notice=notice, actor=actor)
    return True


@transaction.atomic
def notice_acknowledge_by_link(*, notice_id: int) -> ContactNotice:
    """The signed link's acknowledgement; the link itself is the proof (views.py checks it)."""
    notice = ContactNotice.objects.select_for_update().filter(pk=notice_id).first()
    if notice is None:
        raise NotFound()
    notice_acknowledge(notice=notice, actor=notice.person, via="link")
    return notice


@transaction.atomic
def station_arrive(*, actor: User, alarm_id: int, lat: float, lng: float) -> Incident:
    """The micro fire station is on scene; the first report counts against the minute."""
    alarm = _alarm_for(actor, alarm_id)
    assert alarm.incident is not None
    notices = _lock_notices(alarm.incident.pk, actor).filter(role=ContactRole.MICRO_FIRE_STATION)
    notice = notices.first()
    if notice is None:
        raise PermissionDeniedError(_("只有该场所的微型消防站可以报告到场。"))
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise InvalidInput(_("坐标超出范围。"), extra={"field": "lat"})
    notice_acknowledge(notice=notice, actor=actor, via="arrival")
    incident = Incident.objects.select_for_update().get(pk=alarm.incident.pk)
    if incident.station_arrived_at is None:
        incident.station_arrived_at = timezone.now()
        incident.save(update_fields=["station_arrived_at"])
        case_bridge.station_arrived(incident=incident, actor=actor, lat=lat, lng=lng)
    return incident


@transaction.atomic
def alarm_mark_false(*, actor: User, alarm_id: int, reason: str) -> Alarm:
    """A false alarm (误报), counted once against the device. When every alarm of the incident
    is false, the incident ends and its case is cancelled."""
    alarm = _alarm_for(actor, alarm_id)
    assert alarm.incident is not None
    is_contact = alarm.incident.notices.filter(_mine(actor)).exists()
    if not (is_contact or actor.is_superuser or actor.role in COMMAND_ROLES):
        raise PermissionDeniedError(_("只有报警联系人或指挥中心人员可以标记误报。"))
    if not reason.strip():
        raise InvalidInput(_("请填写原因。"), extra={"field": "reason"})
    alarm = Alarm.objects.select_for_update().get(pk=alarm.pk)
    if not alarm.false_alarm:
        alarm.false_alarm, alarm.marked_false_at, alarm.marked_false_by = (
            True,
            timezone.now(),
            actor,
        )
        alarm.save(update_fields=["false_alarm", "marked_false_at", "marked_false_by"])
        Device.objects.filter(pk=alarm.device_id).update(
            false_alarm_count=F("false_alarm_count") + 1
        )
        _end_if_all_false(alarm, actor, reason.strip())
    return alarm


def _end_if_all_false(alarm: Alarm, actor: User, reason: str) -> None:
    assert alarm.incident_id is not None
    incident = Incident.objects.select_for_update().get(pk=alarm.incident_id)
    if incident.closed_at is not None or incident.alarms.filter(false_alarm=False).exists():
        return
    incident_close(incident=incident, reason="false alarm")
    case_bridge.alarm_case_cancel(incident=incident, actor=actor, reason=reason)


def alarm_notices_sweep(*, now: datetime | None = None, limit: int = SWEEP_BATCH) -> int:
    """Reminds each contact who has not acknowledged by their deadline, up to
    SHOUWANG_ALARM_REMINDERS times, then escalates them once. Exactly once per step with any
    number of sweepers: rows are claimed with SKIP LOCKED and moved on in the same commit."""
    now = now or timezone.now()
    due = ContactNotice.objects.filter(
        acked_at__isnull=True,
        escalated_at__isnull=True,
        ack_deadline__lte=now,
        incident__closed_at__isnull=True,
    )
    if not due.exists():
        return 0
    with transaction.atomic():
        notices = list(
            due.select_for_update(skip_locked=True, of=("self",))
            .select_related("incident", "incident__premises__node", "person", "unit")
            .order_by("ack_deadline")[:limit]
        )
        for notice in notices:
            _remind_or_escalate(notice, now)
    return len(notices)


def _remind_or_escalate(notice: ContactNotice, now: datetime) -> None:
    if case_bridge.contact_has_responded(notice=notice):
        notice_acknowledge(notice=notice, actor=notice.person, via="case")
    elif notice.reminders < max_reminders():
        notice.reminders += 1
        notice.ack_deadline = now + ack_window()
        notice.save(update_fields=["reminders", "ack_deadline"])
        contact_cards.contact_remind(notice=notice)
    else:
        notice.escalated_at = now
        notice.save(update_fields=["escalated_at"])
        contact_cards.contact_escalate(notice=notice)
