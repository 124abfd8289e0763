"""What the rectification loop tells people, through the outbox (after commit)."""

from shouwang.inspections.models import Hazard
from shouwang.notify.groups import person_group
from shouwang.notify.models import Channel
from shouwang.notify.services import outbox_enqueue


def tell_responsible(*, hazard: Hazard, what: str) -> None:
    """Tells the hazard's responsible person (the landlord) that a hazard was found, that a
    re-inspection failed or that the deadline passed. No one responsible: nothing to send."""
    if hazard.responsible_id is None:
        return
    outbox_enqueue(
        channel=Channel.WEBSOCKET,
        recipient=person_group(hazard.responsible_id),
        payload={
            "type": "hazard",
            "what": what,
            "case": hazard.case_id,
            "premises": hazard.premises.name,
            "level": hazard.level,
            "deadline": hazard.deadline.isoformat(),
            "round": hazard.rounds,
        },
        idempotency_key=f"inspections:hazard:{hazard.case_id}:{what}:{hazard.rounds}",
        node=hazard.node,
        person=hazard.responsible,
    )
