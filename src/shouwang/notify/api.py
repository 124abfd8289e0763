"""Thin API handlers: parse, call a selector or service, return."""

from django.http import HttpRequest
from ninja import Router
from ninja.pagination import paginate

from shouwang.core.models import User
from shouwang.core.pagination import Pages
from shouwang.notify import selectors, services
from shouwang.notify.models import OutboxMessage
from shouwang.notify.schemas import DeadLetterOut, NotificationOut

router = Router(tags=["notify"])


def acting_user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@router.get("/dead-letters", response=list[DeadLetterOut])
@paginate(Pages, page_size=50)
def list_dead_letters(
    request: HttpRequest, channel: str | None = None, recipient: str | None = None
) -> object:
    """Messages that could not be delivered, in your jurisdiction (operators only)."""
    return selectors.dead_letters_list(
        user=acting_user(request), channel=channel, recipient=recipient
    )


@router.post("/messages/{message_id}/resend", response=DeadLetterOut)
def resend_message(request: HttpRequest, message_id: int) -> OutboxMessage:
    """Puts a dead letter back in the queue with fresh attempts (audited)."""
    return services.outbox_resend(
        actor=acting_user(request), message_id=message_id, request=request
    )


@router.post("/messages/{message_id}/ack", response=NotificationOut)
def acknowledge_message(request: HttpRequest, message_id: int) -> OutboxMessage:
    """Confirms that you have seen one of your notifications. Repeating it changes nothing."""
    return services.notification_acknowledge(actor=acting_user(request), message_id=message_id)


@router.get("/mine", response=list[NotificationOut])
@paginate(Pages, page_size=50)
def list_my_notifications(request: HttpRequest, unacked: bool = False) -> object:
    """Your notifications, newest first; `unacked=true` for those still awaiting your ack."""
    return selectors.notifications_mine_list(user=acting_user(request), unacked=unacked)
