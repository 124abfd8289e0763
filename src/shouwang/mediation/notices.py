"""Who the mediation app tells, through the notify outbox, written inside the step's
transaction. Payloads carry no personal data: no party's name or phone."""

from django.db import models
from django.utils import timezone

from shouwang.core.models import JurisdictionNode, Role, Unit, UnitKind, User
from shouwang.core.selectors import node_lineage
from shouwang.notify.groups import groups_together, person_group, screen_group, unit_group
from shouwang.notify.models import Channel
from shouwang.notify.services import outbox_enqueue_many, outbox_message


def town_of(node: JurisdictionNode) -> JurisdictionNode | None:
    """The town-level node at or above `node`."""
    return next((n for n in node_lineage(node=node) if n.level == "town"), None)


def leaders_over(node: JurisdictionNode) -> list[User]:
    """Active leaders of `node`'s town and city (the people an overdue file is escalated to)."""
    lineage = [n.pk for n in node_lineage(node=node)]
    return list(User.objects.filter(role=Role.LEADER, is_active=True, node_id__in=lineage))


def area_units(node: JurisdictionNode) -> list[Unit]:
    """The police stations and town command rooms answering for `node`'s town or above."""
    lineage = [n.pk for n in node_lineage(node=node)]
    return list(
        Unit.objects.filter(
            kind__in=[UnitKind.POLICE_STATION, UnitKind.TOWN_COMMAND],
            is_active=True,
            node_id__in=lineage,
        )
    )


def notify_people(
    *, people: list[User], node: JurisdictionNode, payload: dict[str, object], key: str
) -> None:
    now = timezone.now()
    outbox_enqueue_many(
        outbox_message(
            channel=Channel.WEBSOCKET,
            recipient=person_group(p.pk),
            payload=payload,
            idempotency_key=f"{key}:person:{p.pk}",
            node=node,
            person=p,
            now=now,
        )
        for p in people
    )


def notify_area(
    *,
    node: JurisdictionNode,
    payload: dict[str, object],
    key: str,
    subject: models.Model | None = None,
    units: list[Unit] | None = None,
) -> None:
    """One message to the area's station and town command room and the town's screens."""
    town = town_of(node) or node
    groups = [unit_group(u.code) for u in (units if units is not None else area_units(node))]
    groups.append(screen_group(town.code))
    outbox_enqueue_many(
        [
            outbox_message(
                channel=Channel.WEBSOCKET,
                recipient=groups_together(groups),
                payload=payload,
                idempotency_key=key,
                node=node,
                subject=subject,
            )
        ]
    )
