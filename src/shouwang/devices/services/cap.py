"""Issuing CAP 1.2 messages: a restricted alert for each alarm incident (the place of a private
home is for responders only), public warnings issued by the command centre, and the Cancel
that ends either. Messages are never edited: a Cancel is a new message referencing the first,
which is then marked superseded (CAP 1.2 §3.2.1 msgType, references)."""

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from shouwang.core.models import JurisdictionNode
from shouwang.devices.models import (
    Alarm,
    AlarmKind,
    CapAlert,
    CapCategory,
    CapCertainty,
    CapMsgType,
    CapScope,
    CapSeverity,
    CapUrgency,
    Incident,
)

ALARM_ALERT_HOURS = 6
CANCEL_SHOWN_HOURS = 1
BUILDING_RADIUS_KM = 0.1
CATEGORY_BY_KIND = {
    AlarmKind.SMOKE: CapCategory.FIRE,
    AlarmKind.GAS: CapCategory.SAFETY,
    AlarmKind.WATER_PRESSURE: CapCategory.FIRE,
    AlarmKind.DOOR: CapCategory.SECURITY,
    AlarmKind.SOS: CapCategory.RESCUE,
    AlarmKind.OTHER: CapCategory.SAFETY,
}


def cap_sender() -> str:
    return str(settings.SHOUWANG_CAP_SENDER)


def _identifier(node: JurisdictionNode, at: datetime, tag: str) -> str:
    # CAP identifiers may not hold spaces, commas or "<" / "&"; unique per sender.
    return f"shouwang-{node.code}-{at:%Y%m%d%H%M%S}-{tag}"


def _texts(alarm: Alarm, incident: Incident, language: str) -> dict[str, str]:
    with translation.override(language):
        where = incident.premises.name
        return {
            "event": str(alarm.get_kind_display()),
            "headline": _("%(kind)s：%(where)s")
            % {"kind": alarm.get_kind_display(), "where": where},
            "description": _("%(device)s %(serial)s 于 %(where)s 报警。")
            % {
                "device": alarm.device.get_device_type_display(),
                "serial": alarm.device.serial,
                "where": incident.premises.address or where,
            },
            "instruction": _("微型消防站一分钟内到场处置；请勿围观，保持通道畅通。"),
        }


def cap_alert_for_incident(*, incident: Incident, alarm: Alarm) -> CapAlert:
    """The restricted alert of a new alarm incident (inside the alarm's transaction)."""
    premises, now = incident.premises, timezone.now()
    zh, en = _texts(alarm, incident, "zh-hans"), _texts(alarm, incident, "en")
    with translation.override("zh-hans"):
        restriction = _("仅限处置人员与指挥中心")
    return CapAlert.objects.create(
        identifier=_identifier(premises.node, now, f"i{incident.pk}"),
        sender=cap_sender(),
        sent=now,
        msg_type=CapMsgType.ALERT,
        scope=CapScope.RESTRICTED,
        restriction=restriction,
        category=CATEGORY_BY_KIND[AlarmKind(alarm.kind)],
        event=zh["event"],
        urgency=CapUrgency.IMMEDIATE,
        severity=CapSeverity.SEVERE if alarm.level >= 2 else CapSeverity.MODERATE,
        certainty=CapCertainty.OBSERVED,
        headline=zh["headline"][:160],
        description=zh["description"],
        instruction=zh["instruction"],
        headline_en=en["headline"][:160],
        description_en=en["description"],
        instruction_en=en["instruction"],
        expires=now + timedelta(hours=ALARM_ALERT_HOURS),
        area_desc=(premises.address or premises.name)[:200],
        circle_lat=premises.lat,
        circle_lng=premises.lng,
        circle_radius_km=BUILDING_RADIUS_KM if premises.lat is not None else None,
        node=premises.node,
        incident=incident,
    )


@transaction.atomic
def cap_alert_cancel(*, alert: CapAlert, note: str = "") -> CapAlert:
    """Ends an alert with a Cancel message referencing it; a second call returns the first
    Cancel."""
    original = CapAlert.objects.select_for_update().get(pk=alert.pk)
    if original.superseded_at is not None:
        found = CapAlert.objects.filter(references__contains=original.identifier).first()
        if found is not None:
            return found
    now = timezone.now()
    fields: dict[str, Any] = {
        f.name: getattr(original, f.name)
        for f in CapAlert._meta.concrete_fields
        if f.name not in {"id", "identifier", "sent", "msg_type", "references", "superseded_at"}
    }
    fields.update(
        {
            "identifier": f"{original.identifier}-c",
            "sent": now,
            "msg_type": CapMsgType.CANCEL,
            "references": f"{original.sender},{original.identifier},{cap_time(original.sent)}",
            "urgency": CapUrgency.PAST,
            "expires": now + timedelta(hours=CANCEL_SHOWN_HOURS),
            "instruction": note or original.instruction,
        }
    )
    cancel = CapAlert.objects.create(**fields)
    original.superseded_at = now
    original.save(update_fields=["superseded_at"])
    return cancel


def cap_alerts_cancel_for_incident(*, incident: Incident, note: str = "") -> None:
    for alert in CapAlert.objects.filter(
        incident=incident, superseded_at__isnull=True, msg_type=CapMsgType.ALERT
    ):
        cap_alert_cancel(alert=alert, note=note)


def cap_time(at: datetime) -> str:
    """CAP's dateTime: seconds precision with the offset spelt out (+08:00), never "Z"."""
    local = timezone.localtime(at)
    text = local.replace(microsecond=0).isoformat()
    return text if not text.endswith("+00:00") else text[:-6] + "-00:00"


def node_polygon(node: JurisdictionNode) -> list[list[float]] | None:
    """The node's outer boundary as CAP wants it: [lat, lng] pairs, closed. Multipolygons give
    their first part (CAP areas may hold several polygons; one is enough to place a warning)."""
    boundary = node.boundary or {}
    coordinates = boundary.get("coordinates")
    if not coordinates:
        return None
    ring = coordinates[0] if boundary.get("type") == "Polygon" else coordinates[0][0]
    points = [[round(float(lat), 6), round(float(lng), 6)] for lng, lat, *_rest in ring]
    if points and points[0] != points[-1]:
        points.append(points[0])
    return points if len(points) >= 4 else None


@transaction.atomic
def cap_warning_issue(
    *,
    node: JurisdictionNode,
    category: CapCategory,
    event: str,
    urgency: CapUrgency,
    severity: CapSeverity,
    certainty: CapCertainty,
    headline: str,
    description: str = "",
    instruction: str = "",
    hours: int = 24,
    scope: CapScope = CapScope.PUBLIC,
) -> CapAlert:
    """A public warning over a jurisdiction (a typhoon, a gas-cylinder recall), its area the
    node's boundary."""
    now = timezone.now()
    alert = CapAlert(
        identifier=_identifier(node, now, "w"),
        sender=cap_sender(),
        sent=now,
        scope=scope,
        restriction="" if scope == CapScope.PUBLIC else _("仅限处置人员与指挥中心"),
        category=category,
        event=event,
        urgency=urgency,
        severity=severity,
        certainty=certainty,
        headline=headline[:160],
        description=description,
        instruction=instruction,
        expires=now + timedelta(hours=hours),
        area_desc=node.name,
        polygon=node_polygon(node),
        node=node,
    )
    alert.save()
    alert.identifier = f"{alert.identifier}{alert.pk}"
    alert.save(update_fields=["identifier"])
    return alert
