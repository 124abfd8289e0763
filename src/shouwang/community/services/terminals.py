"""Body-worn terminals (警保民, seed 004: 1,124 with GPS, intercom and video). A terminal is
bound to one person: its GPS reports are that person's live position for dispatch suggestions,
and its SOS opens an urgent case at its position (not tied to any premises).

Called by the device gateway with its own API token (a dispatcher or admin account of the
terminal's jurisdiction); the devices app's MQTT path is not wired to it yet."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shouwang.cases.feeders import (
    CaseChannel,
    CaseKind,
    case_note,
    case_open,
    case_worked_by,
    position_report,
)
from shouwang.community.models import BodyTerminal
from shouwang.core.errors import Conflict, InvalidInput, NotFound
from shouwang.core.models import User
from shouwang.core.selectors import node_in_scope

SOS_CATEGORY = "rescue"
URGENT = 1


def _terminal(actor: User, serial: str) -> BodyTerminal:
    terminal = (
        BodyTerminal.objects.select_for_update(of=("self",))
        .select_related("node", "person")
        .filter(serial=serial)
        .first()
    )
    if terminal is None or not node_in_scope(actor, terminal.node):
        raise NotFound()
    if terminal.person is None:
        raise InvalidInput(_("该终端未绑定佩戴人。"))
    return terminal


@transaction.atomic
def terminal_bind(*, terminal: BodyTerminal, person: User | None) -> BodyTerminal:
    """Binds the terminal to a person (a person wears one terminal at a time)."""
    BodyTerminal.objects.filter(person=person).exclude(pk=terminal.pk).update(person=None)
    terminal.person = person
    terminal.save(update_fields=["person"])
    return terminal


@transaction.atomic
def terminal_position_report(*, actor: User, serial: str, lat: float, lng: float) -> None:
    terminal = _terminal(actor, serial)
    terminal.last_lat, terminal.last_lng, terminal.last_report_at = lat, lng, timezone.now()
    terminal.save(update_fields=["last_lat", "last_lng", "last_report_at"])
    assert terminal.person is not None
    position_report(person=terminal.person, lat=lat, lng=lng)


@transaction.atomic
def terminal_sos(*, actor: User, serial: str, lat: float, lng: float, note: str = "") -> int:
    """Opens an urgent case at the terminal's position, in its wearer's name. Returns its id."""
    terminal = _terminal(actor, serial)
    assert terminal.person is not None
    terminal_position_report(actor=actor, serial=serial, lat=lat, lng=lng)
    opened = case_open(
        actor=terminal.person,
        category_code=SOS_CATEGORY,
        description=note or _("警保民终端 %(serial)s 一键求救") % {"serial": serial},
        channel=CaseChannel.DEVICE,
        kind=CaseKind.ALARM,
        lat=lat,
        lng=lng,
        priority=URGENT,
        reporter_name=terminal.person.display_name,
        source="community.terminal_sos",
        source_ref=serial,
    )
    return opened.case.pk


# What a terminal records besides positions (seed 004: 4G intercom and video).
TERMINAL_EVENTS = {"intercom": _("对讲"), "video": _("视频")}


@transaction.atomic
def terminal_event(*, actor: User, serial: str, kind: str, ref: str = "") -> int:
    """An intercom or video event of a terminal goes on the timeline of the case its wearer is
    working. Conflict (409) when the wearer works no case now. Returns the case id."""
    if kind not in TERMINAL_EVENTS:
        raise InvalidInput(_("事件类型只能是 intercom 或 video。"))
    terminal = _terminal(actor, serial)
    assert terminal.person is not None
    case_id = case_worked_by(person=terminal.person)
    if case_id is None:
        raise Conflict(_("佩戴人当前没有在处置的事件。"))
    case_note(
        case=case_id,
        actor=terminal.person,
        text=_("警保民终端 %(serial)s：%(kind)s")
        % {"serial": serial, "kind": TERMINAL_EVENTS[kind]},
        source="community.terminal",
        data={"terminal": serial, "event": kind, "ref": ref[:300]},
    )
    return case_id
