"""Who is in a case's room (the 建群 of five-in-sync dispatch), read by the room's services and
by the screens that show it."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shouwang.cases.models import Assignment, Case, TimelineKind
from shouwang.cases.rules.authority import in_jurisdiction, is_admin, is_dispatcher_for
from shouwang.core.errors import PermissionDeniedError
from shouwang.core.models import Role, User

ROOM_MESSAGE_KIND = TimelineKind.MESSAGE


def is_room_member(user: User, case: Case) -> bool:
    """Command of the case (its dispatchers, and leaders and admins of its jurisdiction) or one
    of its assignees, now or in an earlier round (their own assignment or their unit's). Others
    who may see the case — a volunteer of the same grid, the person who reported it — are not:
    the room carries responders' positions (PIPL)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if is_dispatcher_for(user, case):
        return True
    if (is_admin(user) or user.role == Role.LEADER) and in_jurisdiction(user, case):
        return True
    mine = Q(person=user)
    if user.unit_id is not None:
        mine |= Q(unit_id=user.unit_id, person__isnull=True)
    return Assignment.objects.filter(mine, case=case).exists()


def require_room_member(user: User, case: Case) -> None:
    if not is_room_member(user, case):
        raise PermissionDeniedError(_("只有指挥人员和该事件的处置人员可以进入处置群。"))
