"""What an alarm's contacts are sent on the channels of their own (DingTalk, WeCom, a webhook)
and on their own socket: the alarm card with its signed acknowledgement link, reminders, and
the escalation when nobody of a role answers. The case side is case_bridge.py."""

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from shouwang.cases.feeders import Case
from shouwang.core.models import JurisdictionNode, Unit, UnitKind
from shouwang.core.selectors import node_lineage
from shouwang.devices.case_bridge import case_of, where
from shouwang.devices.links import ack_link_url
from shouwang.devices.models import Alarm, ContactNotice
from shouwang.notify.groups import person_group, screen_group, unit_group
from shouwang.notify.models import Channel, OutboxMessage
from shouwang.notify.services import outbox_enqueue, outbox_enqueue_many, outbox_message
from shouwang.places.models import ContactRole

EXTRA_CHANNELS = {"webhook": Channel.WEBHOOK, "dingtalk": Channel.DINGTALK, "wecom": Channel.WECOM}


def alarm_contacts_tell(*, notices: Iterable[ContactNotice], case: Case, alarm: Alarm) -> None:
    """The alarm card, with its signed acknowledgement link, to every contact who is also
    reached on a channel of their own (DingTalk, WeCom, webhook): one INSERT for all of them.
    The notices are saved, and their incident carries the case."""
    outbox_enqueue_many(
        message
        for message in (_extra_message(n, case, alarm, "alarm") for n in notices)
        if message is not None
    )


def _card(notice: ContactNotice, kind: str, alarm: Alarm | None = None) -> dict[str, Any]:
    """What a contact is sent: a title and markdown text (robots show them), the signed link
    to acknowledge, and the fields an app needs."""
    incident, link = notice.incident, ack_link_url(notice_id=notice.pk)
    premises = incident.premises
    with translation.override(settings.LANGUAGE_CODE):
        title = {
            "alarm": _("【设备报警】%(where)s"),
            "reminder": _("【报警未确认·提醒】%(where)s"),
            "escalation": _("【报警无人确认·上报】%(where)s"),
        }[kind] % {"where": where(premises, alarm)}
        text = _("地址：%(address)s\n\n您的角色：%(role)s\n\n[确认收到](%(link)s)") % {
            "address": premises.address or premises.name,
            "role": ContactRole(notice.role).label,
            "link": link,
        }
    return {
        "type": f"devices.{kind}",
        "title": title,
        "text": text,
        "case_id": incident.case_id,
        "incident": incident.pk,
        "notice": notice.pk,
        "role": notice.role,
        "premises": premises.code,
        "lat": premises.lat,
        "lng": premises.lng,
        "alarm": alarm.pk if alarm is not None else None,
        "ack_url": link,
    }


def _extra_message(
    notice: ContactNotice, case: Case | None, alarm: Alarm | None, kind: str
) -> OutboxMessage | None:
    channel = EXTRA_CHANNELS.get(notice.extra_channel)
    if channel is None or not notice.extra_recipient:
        return None
    return outbox_message(
        channel=channel,
        recipient=notice.extra_recipient,
        payload=_card(notice, kind, alarm),
        idempotency_key=f"devices:notice:{notice.pk}:{kind}:{notice.reminders}",
        node=notice.incident.premises.node,
        subject=case,
    )


def _tell(notice: ContactNotice, recipient: str, kind: str, node: JurisdictionNode) -> None:
    outbox_enqueue(
        channel=Channel.WEBSOCKET,
        recipient=recipient,
        payload=_card(notice, kind),
        idempotency_key=f"devices:notice:{notice.pk}:{kind}:{notice.reminders}:{recipient}",
        node=node,
        person=notice.person if recipient == _own_group(notice) else None,
        subject=case_of(notice),
    )


def _own_group(notice: ContactNotice) -> str:
    if notice.person_id is not None:
        return person_group(notice.person_id)
    assert notice.unit is not None
    return unit_group(notice.unit.code)


def contact_remind(*, notice: ContactNotice) -> None:
    """Tells the contact again, on every channel they have."""
    node = notice.incident.premises.node
    _tell(notice, _own_group(notice), "reminder", node)
    extra = _extra_message(notice, case_of(notice), None, "reminder")
    if extra is not None:
        outbox_enqueue_many([extra])


def contact_escalate(*, notice: ContactNotice) -> None:
    """Nobody answered for this role: the screens of the premises' jurisdiction, up to the
    city, and the town's fire command (or, when it is the silent one, the town command room)
    are told who is missing."""
    node = notice.incident.premises.node
    lineage = node_lineage(node=node)
    for level in lineage:
        _tell(notice, screen_group(level.code), "escalation", level)
    kinds = [UnitKind.FIRE_COMMAND, UnitKind.TOWN_COMMAND]
    if notice.unit is not None and notice.unit.kind == UnitKind.FIRE_COMMAND:
        kinds = [UnitKind.TOWN_COMMAND]
    above = Unit.objects.filter(node__in=lineage, kind__in=kinds, is_active=True).order_by("kind")
    for unit in above[:1]:
        _tell(notice, unit_group(unit.code), "escalation", unit.node)
