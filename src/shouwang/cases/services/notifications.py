"""What the loop owes the outside world after each step, written to the outbox inside the step's
transaction (ARCHITECTURE.md, durability rule 2). Every message's idempotency key names the
timeline event and the recipient, so a step notifies each recipient exactly once. Payloads carry
no personal data: no caller name or phone, whatever the recipient may see on screen."""

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from shouwang.cases.models import Case, TimelineEvent
from shouwang.core.models import JurisdictionNode, Unit, User
from shouwang.core.selectors import node_lineage
from shouwang.notify.groups import case_group, person_group, screen_group, unit_group
from shouwang.notify.models import Channel
from shouwang.notify.services import outbox_enqueue

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


def _send(
    case: Case,
    event: TimelineEvent,
    recipient: str,
    *,
    node: JurisdictionNode | None = None,
    person: User | None = None,
    requires_ack: bool = False,
    ack_within: timedelta | None = None,
) -> None:
    outbox_enqueue(
        channel=Channel.WEBSOCKET,
        recipient=recipient,
        payload=_payload(case, event),
        idempotency_key=f"cases:event:{event.pk}:{recipient}",
        node=node or case.node,
        person=person,
        requires_ack=requires_ack,
        ack_within=ack_within if requires_ack else None,
        subject=case,
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
) -> None:
    """Sends one step of a case: to the dispatcher consoles and big screens of every node from
    the case's node up to the city (so both town and city see it), to the case room, and to the
    people and units named. `requires_ack` applies to the people and units (a dispatch the SLA
    wants acknowledged), never to screens or the room."""
    for person in people:
        _send(
            case,
            event,
            person_group(person.pk),
            person=person,
            requires_ack=requires_ack,
            ack_within=ack_within,
        )
    for unit in units:
        _send(
            case,
            event,
            unit_group(unit.code),
            node=unit.node,
            requires_ack=requires_ack,
            ack_within=ack_within,
        )
    if room:
        _send(case, event, case_group(case.pk))
    nodes = list(node_lineage(node=case.node)) if screens else []
    nodes += [n for n in extra_screens if all(n.pk != m.pk for m in nodes)]
    for node in nodes:
        _send(case, event, screen_group(node.code), node=node)
