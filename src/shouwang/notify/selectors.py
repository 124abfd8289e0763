"""Every read of the notify app, scoped to what the acting user may see."""

from datetime import timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shouwang.core.errors import PermissionDeniedError
from shouwang.core.models import User
from shouwang.core.roles import COMMAND_ROLES
from shouwang.core.selectors import scope_path, scope_q
from shouwang.notify.groups import person_group, screen_group, unit_group
from shouwang.notify.models import Channel, OutboxMessage, OutboxState

# Who watches deliveries and may re-send: the people who run a jurisdiction's command room.
# Who gets a jurisdiction's screen pushes (dispatcher consoles and big screens).


def sees_unscoped_messages(user: User) -> bool:
    """Messages without a node (system-wide ones) are for the city level only."""
    if scope_path(user) == "/" or (user.is_active and user.is_superuser):
        return True
    return user.node is not None and user.node.parent_id is None and user.is_active


def messages_scope_q(user: User) -> Q:
    scoped = scope_q(user, via="node")
    return scoped | Q(node__isnull=True) if sees_unscoped_messages(user) else scoped


def notify_operator_check(user: User) -> None:
    if not user.is_active or not (user.is_superuser or user.role in COMMAND_ROLES):
        raise PermissionDeniedError(_("只有指挥中心值班员、领导和管理员可以查看和重发通知。"))


def dead_letters_list(
    *, user: User, channel: str | None = None, recipient: str | None = None
) -> QuerySet[OutboxMessage]:
    """Messages that ran out of attempts, newest failure first, within the user's jurisdiction."""
    notify_operator_check(user)
    dead = OutboxMessage.objects.filter(messages_scope_q(user), state=OutboxState.DEAD)
    if channel:
        dead = dead.filter(channel=channel)
    if recipient:
        dead = dead.filter(recipient=recipient)
    return dead.select_related("node").order_by("-next_attempt_at", "-id")


def notifications_mine_list(*, user: User, unacked: bool = False) -> QuerySet[OutboxMessage]:
    """The user's own notifications, newest first. Re-notifications are not listed apart: they
    share their original's acknowledgement."""
    mine = OutboxMessage.objects.filter(person_id=user.pk, renotify_of__isnull=True)
    if unacked:
        mine = mine.filter(requires_ack=True, acked_at__isnull=True)
    return mine.order_by("-created_at", "-id")


def socket_groups_for(*, user: User) -> list[str]:
    """The channel-layer groups a signed-in socket joins: the person's own, their unit's, and
    for command-room roles their jurisdiction's screens."""
    person = User.objects.select_related("node", "unit").get(pk=user.pk)
    groups = [person_group(person.pk)]
    if person.unit is not None and person.unit.is_active:
        groups.append(unit_group(person.unit.code))
    if person.node is not None and (person.role in COMMAND_ROLES or person.is_superuser):
        groups.append(screen_group(person.node.code))
    return groups


CATCH_UP_LIMIT = 200
CATCH_UP_WINDOW = timedelta(hours=24)


def socket_catch_up(*, groups: list[str], after_id: int) -> list[OutboxMessage]:
    """WebSocket messages to these groups (a person's and their unit's, not the screens') with
    an id above `after_id`, oldest first: what a reconnecting client missed while its socket
    was down. Bounded to the last day and CATCH_UP_LIMIT messages; a message may come twice
    (here and from the worker), and the client tells by its id."""
    since = timezone.now() - CATCH_UP_WINDOW
    return list(
        OutboxMessage.objects.filter(
            channel=Channel.WEBSOCKET, recipient__in=groups, pk__gt=after_id, created_at__gte=since
        ).order_by("id")[:CATCH_UP_LIMIT]
    )
