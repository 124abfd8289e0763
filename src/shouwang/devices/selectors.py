"""Every read of the devices app, scoped to the acting user's jurisdiction (through the premises'
node). An alarm is also visible to the people and units who were asked to answer it, wherever
their own node is (a landlord may live in another town)."""

from django.db.models import Exists, OuterRef, Q, QuerySet

from shouwang.core.errors import NotFound
from shouwang.core.models import User
from shouwang.core.selectors import scope_q
from shouwang.devices.models import Alarm, ContactNotice, Device, Incident


def devices_list(
    *,
    user: User,
    premises_code: str | None = None,
    state: str | None = None,
    device_type: str | None = None,
    simulated: bool | None = None,
    search: str | None = None,
) -> QuerySet[Device]:
    devices = Device.objects.filter(scope_q(user, via="premises__node")).select_related(
        "premises", "premises__node", "room"
    )
    filters = {"premises__code": premises_code, "state": state, "device_type": device_type}
    devices = devices.filter(**{k: v for k, v in filters.items() if v})
    if simulated is not None:
        devices = devices.filter(simulated=simulated)
    if search:
        devices = devices.filter(Q(serial__startswith=search) | Q(imei__startswith=search))
    return devices.order_by("serial")


def device_get(*, user: User, serial: str) -> Device:
    device = devices_list(user=user).filter(serial=serial).first()
    if device is None:
        raise NotFound()
    return device


def _answering(user: User) -> Q:
    """Alarms whose incident asked this user, or their unit, to answer."""
    mine = Q(person_id=user.pk)
    if user.unit_id is not None:
        mine |= Q(person__isnull=True, unit_id=user.unit_id)
    notices = ContactNotice.objects.filter(mine, incident_id=OuterRef("incident_id"))
    return Q(Exists(notices))


def alarms_list(
    *, user: User, open_only: bool = False, premises_code: str | None = None
) -> QuerySet[Alarm]:
    alarms = Alarm.objects.filter(
        scope_q(user, via="device__premises__node") | _answering(user)
    ).select_related(
        "device", "device__premises", "device__premises__node", "device__room", "incident"
    )
    if open_only:
        alarms = alarms.filter(incident__closed_at__isnull=True, false_alarm=False)
    if premises_code:
        alarms = alarms.filter(device__premises__code=premises_code)
    return alarms.order_by("-received_at", "-id")


def alarm_get(*, user: User, alarm_id: int) -> Alarm:
    alarm = alarms_list(user=user).filter(pk=alarm_id).first()
    if alarm is None:
        raise NotFound()
    return alarm


def incident_notices(*, incident: Incident) -> QuerySet[ContactNotice]:
    return incident.notices.select_related("person", "unit", "acked_by").order_by("id")
