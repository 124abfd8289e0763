"""What is open at a premises: its one alarm incident and its one maintenance incident, each
carried by one case of the closed loop. Every function here runs inside its caller's transaction
and first locks the premises row, so two alarms (or two sweepers) at one premises take turns and
the second joins what the first opened. The partial unique constraint on open incidents backs
this up in the database. The case side lives in devices/case_bridge.py (and contact_cards.py)."""

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TypeVar

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from shouwang.cases.feeders import case_is_open
from shouwang.core.errors import ApplicationError
from shouwang.devices import case_bridge, contact_cards
from shouwang.devices.models import (
    Alarm,
    ContactNotice,
    Device,
    Incident,
    IncidentKind,
    MaintenanceItem,
)
from shouwang.devices.services.cap import cap_alert_for_incident
from shouwang.places.models import Premises
from shouwang.places.selectors import premises_alarm_contacts

logger = logging.getLogger(__name__)
T = TypeVar("T")
# Seed 002: the micro fire station arrives within one minute.
STATION_ARRIVE_WITHIN = timedelta(minutes=1)
CASE_RETRY_BATCH = 20


def ack_window() -> timedelta:
    return timedelta(seconds=int(settings.SHOUWANG_ALARM_ACK_SECONDS))


def _lock_premises(premises_id: int) -> Premises:
    # Only the premises' row: FOR UPDATE also locks the rows of every joined table unless told
    # otherwise, and the grid's node row made the alarms of a whole grid wait for each other.
    return (
        Premises.objects.select_for_update(of=("self",)).select_related("node").get(pk=premises_id)
    )


def _open_incident(premises: Premises, kind: IncidentKind) -> Incident | None:
    incident = Incident.objects.filter(premises=premises, kind=kind, closed_at__isnull=True).first()
    if incident is not None and not case_is_open(incident.case_id):
        # The loop closed or cancelled the case by hand: this incident is over, start anew.
        incident_close(incident=incident, reason="case finished")
        return None
    if incident is not None:
        incident.premises = premises  # locked, with its node: not read again
    return incident


def incident_close(*, incident: Incident, reason: str) -> None:
    """Ends the incident (inside the caller's transaction) and cancels its CAP alerts."""
    from shouwang.devices.services.cap import cap_alerts_cancel_for_incident

    incident.closed_at, incident.close_reason = timezone.now(), reason[:200]
    incident.save(update_fields=["closed_at", "close_reason"])
    cap_alerts_cancel_for_incident(incident=incident, note=reason)


def alarm_incident_join(*, alarm: Alarm, device: Device) -> Incident:
    """The alarm, not yet saved, joins its premises' open alarm incident, or opens one: a case
    dispatched at once to the premises' five contacts, each of whom must acknowledge. The alarm
    is saved here, with its incident."""
    premises = _lock_premises(device.premises_id)
    incident = _open_incident(premises, IncidentKind.ALARM)
    if incident is None:
        return _alarm_incident_open(alarm, premises)
    alarm.incident = incident
    alarm.save()
    case_bridge.alarm_case_join(incident=incident, alarm=alarm)
    return incident


def _alarm_incident_open(alarm: Alarm, premises: Premises) -> Incident:
    """The case first, so the incident is written once, with it; then the alarm, the notices
    and the contacts' own channels, which need their ids."""
    now = timezone.now()
    notices = _notices_planned(premises, now)
    case = _case_safely(
        lambda: case_bridge.alarm_case_open(premises=premises, alarm=alarm, notices=notices)
    )
    incident = Incident.objects.create(
        premises=premises,
        kind=IncidentKind.ALARM,
        opened_at=now,
        arrive_deadline=now + STATION_ARRIVE_WITHIN,
        case_id=case.pk if case is not None else None,
    )
    alarm.incident = incident
    alarm.save()
    _notices_save(notices, incident)
    if case is not None:
        contact_cards.alarm_contacts_tell(notices=notices, case=case, alarm=alarm)
    cap_alert_for_incident(incident=incident, alarm=alarm)
    return incident


def _case_safely(open_case: Callable[[], T]) -> T | None:
    """Opens the case in a savepoint. Should the loop refuse (a category switched off, a bug),
    the alarm and its incident are still committed — an alarm is never lost to its case — and
    `incidents_case_retry` tries again."""
    try:
        with transaction.atomic():
            return open_case()
    except (ApplicationError, DatabaseError, ObjectDoesNotExist):
        logger.exception("case not opened for a device incident; will retry")
        return None


def incidents_case_retry() -> int:
    """Opens the case of open alarm incidents that have none yet; returns how many it did."""
    done = 0
    waiting = Incident.objects.filter(
        kind=IncidentKind.ALARM, closed_at__isnull=True, case_id__isnull=True
    ).values_list("pk", flat=True)[:CASE_RETRY_BATCH]
    for incident_id in list(waiting):
        with transaction.atomic():
            incident = Incident.objects.select_for_update().get(pk=incident_id)
            alarm = incident.alarms.select_related("device", "device__room").order_by("pk").first()
            if incident.case_id is not None or alarm is None:
                continue
            incident.case_id = _retry_case(incident, alarm)
            incident.save(update_fields=["case_id"])
            done += incident.case_id is not None
    return done


def _retry_case(incident: Incident, alarm: Alarm) -> int | None:
    notices = list(incident.notices.select_related("person", "unit"))
    case = _case_safely(
        lambda: case_bridge.alarm_case_open(
            premises=incident.premises, alarm=alarm, notices=notices
        )
    )
    if case is None:
        return None
    incident.case_id = case.pk
    contact_cards.alarm_contacts_tell(notices=notices, case=case, alarm=alarm)
    return case.pk


def _notices_planned(premises: Premises, opened_at: datetime) -> list[ContactNotice]:
    """The premises' five contacts as notices, not yet saved (they get their incident once it
    exists)."""
    plan = premises_alarm_contacts(premises=premises)
    deadline = opened_at + ack_window()
    return [
        ContactNotice(
            role=contact.role,
            person=contact.person,
            unit=contact.unit,
            fallback=contact.fallback,
            extra_channel=contact.extra_channel,
            extra_recipient=contact.extra_recipient,
            notified_at=opened_at,
            ack_deadline=deadline,
        )
        for contact in plan.contacts
    ]


def _notices_save(notices: list[ContactNotice], incident: Incident) -> None:
    """One INSERT where the database reports the new ids back (PostgreSQL, SQLite 3.35+): the
    acknowledgement links are made from them."""
    for notice in notices:
        notice.incident = incident
    if connection.features.can_return_rows_from_bulk_insert:
        ContactNotice.objects.bulk_create(notices)
    else:
        for notice in notices:
            notice.save()


def maintenance_incident_join(*, item: MaintenanceItem, device: Device) -> Incident:
    """The item joins its premises' open maintenance incident, or opens one (one case, not
    one per device or per missed heartbeat)."""
    premises = _lock_premises(device.premises_id)
    incident = _open_incident(premises, IncidentKind.MAINTENANCE)
    opened = incident is None
    if incident is None:
        incident = Incident.objects.create(premises=premises, kind=IncidentKind.MAINTENANCE)
    item.incident = incident
    item.save(update_fields=["incident"])
    if opened:
        incident.case_id = _case_safely(
            lambda: case_bridge.maintenance_case_open(incident=incident, item=item)
        )
        incident.save(update_fields=["case_id"])
    else:
        case_bridge.maintenance_case_note(incident=incident, item=item)
    return incident


def maintenance_incident_leave(*, item: MaintenanceItem) -> None:
    """The item was fixed: the incident ends when nothing else of it is open."""
    if item.incident_id is None:
        return
    _lock_premises(item.device.premises_id)
    incident = Incident.objects.get(pk=item.incident_id)
    if incident.closed_at is not None:
        return
    still_open = incident.maintenance_items.filter(resolved_at__isnull=True).exists()
    if still_open:
        case_bridge.maintenance_case_note(incident=incident, item=item)
        return
    incident_close(incident=incident, reason="all devices restored")
    case_bridge.maintenance_case_finish(incident=incident, item=item)
