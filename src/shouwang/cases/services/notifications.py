"""What the loop owes the outside world after each step, written to the outbox inside the step's
transaction (ARCHITECTURE.md, durability rule 2). Every message's idempotency key names the
timeline event and the recipient, so a step notifies each recipient exactly once. Payloads carry
no personal data: no caller name or phone, whatever the recipient may see on screen."""

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from shouwang.cases.models import Case, TimelineEvent
from shouwang.core.models import JurisdictionNode, Unit, User
from shouwang.core.selectors import node_lineage
from shouwang.notify.groups import (
    case_group,
    groups_together,
    person_group,
    screen_group,
    unit_group,
)
from shouwang.notify.models import Channel, OutboxMessage
from shouwang.notify.services import outbox_enqueue_many, outbox_message

DESCRIPTION_EXCERPT = 200


def case_brief(case: Case) -> dict[str, Any]:
    return {
        "id": case.pk,
        "number": case.number,
        "state": case.state,
        "kind": case.kind,
        "channel": case.channel,
        "category": case.category.code,
        "category_name": case.category.name,
        "priority": case.priority,
        "address": case.address,
        "lat": case.lat,
        "lng": case.lng,
        "node": case.node.code,
        "responsible_unit": case.responsible_unit.code if case.responsible_unit else None,
        "description": case.description[:DESCRIPTION_EXCERPT],
        "received_at": case.received_at.isoformat(),
    }


def _payload(case: Case, event: TimelineEvent) -> dict[str, object]:
    return {
        "type": f"case.{event.kind}",
        "event": {
            "id": event.pk,
            "kind": event.kind,
            "at": event.at.isoformat(),
            "actor": event.actor.username if event.actor else None,
            "from_state": event.from_state,
            "to_state": event.to_state,
            "data": event.data,
        },
        "case": case_brief(case),
    }


def _message(
    case: Case,
    event: TimelineEvent,
    payload: dict[str, object],
    recipient: str,
    now: datetime,
    *,
    node: JurisdictionNode | None = None,
    person: User | None = None,
    requires_ack: bool = False,
    ack_within: timedelta | None = None,
    key: str = "",
) -> OutboxMessage:
    return outbox_message(
        channel=Channel.WEBSOCKET,
        recipient=recipient,
        payload=payload,
        idempotency_key=f"cases:event:{event.pk}:{key or recipient}",
        node=node or case.node,
        person=person,
        requires_ack=requires_ack,
        ack_within=ack_within if requires_ack else None,
        subject=case,
        now=now,
    )


def announce(
    case: Case,
    event: TimelineEvent,
    *,
    screens: bool = True,
    room: bool = True,
    people: Iterable[User] = (),
    units: Iterable[Unit] = (),
    extra_screens: Iterable[JurisdictionNode] = (),
    requires_ack: bool = False,
    ack_within: timedelta | None = None,
    lineage: Sequence[JurisdictionNode] | None = None,
) -> None:
    """Sends one step of a case: to the dispatcher consoles and big screens of every node from
    the case's node up to the city (so both town and city see it), to the case room, and to the
    people and units named. `requires_ack` applies to the people and units (a dispatch the SLA
    wants acknowledged), never to screens or the room. `lineage` is the case node's
    (core.selectors.node_lineage) when the caller already has it. The room and the screens
    share one row (notify.groups.groups_together); all rows go to the outbox in one
    statement."""
    payload = _payload(case, event)
    now = timezone.now()
    messages = [
        _message(
            case,
            event,
            payload,
            person_group(p.pk),
            now,
            person=p,
            requires_ack=requires_ack,
            ack_within=ack_within,
        )
        for p in people
    ]
    messages += [
        _message(
            case,
            event,
            payload,
            unit_group(u.code),
            now,
            node=u.node,
            requires_ack=requires_ack,
            ack_within=ack_within,
        )
        for u in units
    ]
    nodes: list[JurisdictionNode] = []
    if screens:
        nodes = list(lineage) if lineage is not None else node_lineage(node=case.node)
    nodes += [n for n in extra_screens if all(n.pk != m.pk for m in nodes)]
    # The room and the screens get the same message with nobody to acknowledge it: one row.
    watchers = [case_group(case.pk)] if room else []
    watchers += [screen_group(n.code) for n in nodes]
    if watchers:
        key = "screens" if nodes else ""
        messages.append(_message(case, event, payload, groups_together(watchers), now, key=key))
    outbox_enqueue_many(messages)
