"""Who a dispatcher may name in a dispatch, transfer or diversion. People must lie in the
dispatcher's jurisdiction; units may be anywhere (a town dispatcher transfers to a city
department or diverts to 12345), but must exist and be active."""

from collections.abc import Sequence

from django.utils.translation import gettext_lazy as _

from shouwang.core.errors import InvalidInput
from shouwang.core.models import Unit, User
from shouwang.core.selectors import node_by_id, node_in_scope, unit_by_id


def dispatch_people(*, user: User, usernames: Sequence[str]) -> list[User]:
    """The named people in the user's jurisdiction, in the order given, or InvalidInput naming
    the ones not found."""
    wanted = list(dict.fromkeys(name.strip() for name in usernames if name.strip()))
    if not wanted:
        return []
    # Nodes and units from process memory, and the jurisdiction checked on them here: joining
    # the node table to filter by its path compiled and built more than the rest of this; the
    # rows are read bare.
    found = {}
    for person in User.objects.filter(username__in=wanted):
        node = node_by_id(pk=person.node_id) if person.node_id else None
        if not person.is_active or node is None or not node_in_scope(user, node):
            continue
        person.node = node
        person.unit = unit_by_id(pk=person.unit_id) if person.unit_id else None
        found[person.username] = person
    missing = [name for name in wanted if name not in found]
    if missing:
        raise InvalidInput(
            _("找不到以下人员，或不在您的辖区内：%(names)s") % {"names": "、".join(missing)},
            extra={"field": "people", "missing": missing},
        )
    return [found[name] for name in wanted]


def units_by_code(*, codes: Sequence[str], field: str = "units") -> list[Unit]:
    wanted = list(dict.fromkeys(code.strip() for code in codes if code.strip()))
    if not wanted:
        return []
    found = {
        u.code: u
        for u in Unit.objects.filter(code__in=wanted, is_active=True).select_related("node")
    }
    missing = [code for code in wanted if code not in found]
    if missing:
        raise InvalidInput(
            _("找不到以下单位：%(codes)s") % {"codes": "、".join(missing)},
            extra={"field": field, "missing": missing},
        )
    return [found[code] for code in wanted]


def unit_by_code(*, code: str, field: str = "unit") -> Unit:
    units = units_by_code(codes=[code], field=field)
    if not units:
        raise InvalidInput(_("请填写单位编码。"), extra={"field": field})
    return units[0]
