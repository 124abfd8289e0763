"""Checking spreadsheet rows before anything is written (services/device_import.py). A handful of
queries for the whole file, whatever its length: the serials, IMEIs, premises and
jurisdiction codes it names are looked up in bulk."""

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from shouwang.core.geo.locate import locate_grid_id
from shouwang.core.models import JurisdictionNode, User
from shouwang.core.selectors import node_in_scope, scope_q
from shouwang.devices.models import Device, DeviceType, Platform
from shouwang.devices.spreadsheet import COLUMNS, SheetRow
from shouwang.places.models import Premises, PremisesKind

IMEI_RE = re.compile(r"^\d{15}$")
SERIAL_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")
# (row, column, message, its parameters): the message stays lazy until the report renders it
# in Chinese and in English.
Problem = tuple[int, str, Promise, dict[str, object]]
Report = Callable[..., None]


@dataclass
class PlannedPremises:
    code: str
    name: str
    kind: str
    node: JurisdictionNode | None
    address: str
    lat: float | None
    lng: float | None


@dataclass
class PlannedDevice:
    row: int
    serial: str
    device_type: str
    premises_code: str
    room: str
    floor: int | None
    imei: str
    platform: str
    platform_device_id: str
    vendor: str
    model: str
    interval: int
    secret: str


@dataclass
class ImportContext:
    actor: User
    taken_serials: set[str]
    taken_imeis: set[str]
    premises: dict[str, Premises]
    nodes: dict[str, JurisdictionNode]
    new_premises: dict[str, PlannedPremises] = field(default_factory=dict)

    @classmethod
    def load(cls, *, actor: User, rows: list[SheetRow]) -> "ImportContext":
        def named(column: str) -> set[str]:
            return {row.get(column) for row in rows if row.get(column)}

        premises = Premises.objects.filter(scope_q(actor, via="node"), code__in=named("premises"))
        nodes = JurisdictionNode.objects.filter(scope_q(actor, via=""), code__in=named("node"))
        return cls(
            actor=actor,
            taken_serials=set(
                Device.objects.filter(serial__in=named("serial")).values_list("serial", flat=True)
            ),
            taken_imeis={
                imei
                for imei in Device.objects.filter(imei__in=named("imei")).values_list(
                    "imei", flat=True
                )
                if imei
            },
            premises={p.code: p for p in premises.select_related("node")},
            nodes={n.code: n for n in nodes},
        )


def _label(column: str) -> str:
    return COLUMNS[column][0]


def _choice(value: str, choices: type[DeviceType] | type[Platform] | type[PremisesKind]) -> str:
    """A choice by its code or its Chinese label; "" when neither."""
    for option in choices:
        if value in (option.value, str(option.label)):
            return str(option.value)
    return ""


def _int(value: str) -> int | None:
    return int(value) if re.fullmatch(r"-?\d+", value) else None


def _float(value: str) -> float | None:
    try:
        return float(value)
    except ValueError:
        return None


def plan_rows(
    rows: list[SheetRow], context: ImportContext
) -> tuple[list[PlannedDevice], list[Problem]]:
    planned, problems = [], []
    first_row: dict[tuple[str, str], int] = {}
    for row in rows:
        row_problems = _row_problems(row, context, first_row)
        if row_problems:
            problems.extend(row_problems)
        else:
            planned.append(_plan(row))
    return planned, problems


def _row_problems(
    row: SheetRow, context: ImportContext, first_row: dict[tuple[str, str], int]
) -> list[Problem]:
    found: list[Problem] = []

    def problem(column: str, message: Promise, **params: object) -> None:
        found.append((row.number, _label(column), message, params))

    for column in ("serial", "device_type", "premises"):
        if not row.get(column):
            problem(column, _("必填项为空。"))
    _check_identity(row, context, first_row, problem)
    _check_values(row, problem)
    if row.get("premises"):
        _check_premises(row, context, problem)
    return found


def _check_identity(
    row: SheetRow, context: ImportContext, first_row: dict[tuple[str, str], int], problem: Report
) -> None:
    serial, imei = row.get("serial"), row.get("imei")
    if serial and not SERIAL_RE.match(serial):
        problem("serial", _("序列号只能包含字母、数字和 . _ : -，最长 64 位。"))
    elif serial in context.taken_serials:
        problem("serial", _("该序列号的设备已存在。"))
    if imei and not IMEI_RE.match(imei):
        problem("imei", _("IMEI 应为 15 位数字。"))
    elif imei in context.taken_imeis:
        problem("imei", _("该 IMEI 的设备已存在。"))
    for column, value in (("serial", serial), ("imei", imei)):
        if not value:
            continue
        other = first_row.setdefault((column, value), row.number)
        if other != row.number:
            problem(column, _("与第 %(row)d 行重复。"), row=other)


def _check_values(row: SheetRow, problem: Report) -> None:
    if row.get("device_type") and not _choice(row.get("device_type"), DeviceType):
        problem("device_type", _("设备类型无效：%(value)s"), value=row.get("device_type"))
    if row.get("platform") and not _choice(row.get("platform"), Platform):
        problem("platform", _("接入方式无效：%(value)s"), value=row.get("platform"))
    interval = row.get("heartbeat_interval_s")
    if interval and ((_int(interval) or 0) < 10):
        problem("heartbeat_interval_s", _("心跳间隔应为不小于 10 的整数（秒）。"))
    if row.get("floor") and _int(row.get("floor")) is None:
        problem("floor", _("楼层应为整数。"))
    if len(row.get("room")) > 20:
        problem("room", _("房间号最长 20 个字符。"))


def _check_premises(row: SheetRow, context: ImportContext, problem: Report) -> None:
    code = row.get("premises")
    if code in context.premises or code in context.new_premises:
        return
    if not row.get("premises_name"):
        problem(
            "premises",
            _("场所不存在或不在您的辖区内：%(code)s。如需新建，请填写场所名称和辖区代码或坐标。"),
            code=code,
        )
        return
    planned = _new_premises(row, context, problem)
    if planned is not None:
        context.new_premises[code] = planned


def _new_premises(row: SheetRow, context: ImportContext, problem: Report) -> PlannedPremises | None:
    kind = _choice(row.get("premises_kind"), PremisesKind) if row.get("premises_kind") else "other"
    if not kind:
        problem("premises_kind", _("场所类型无效：%(value)s"), value=row.get("premises_kind"))
    lat, lng = _float(row.get("lat")), _float(row.get("lng"))
    if (row.get("lat") or row.get("lng")) and (
        lat is None or lng is None or not (-90 <= lat <= 90 and -180 <= lng <= 180)
    ):
        problem("lat", _("坐标格式错误。"))
        return None
    node = _node_for(row, context, lat, lng, problem)
    if node is None or not kind:
        return None
    return PlannedPremises(
        code=row.get("premises"),
        name=row.get("premises_name")[:100],
        kind=kind,
        node=node,
        address=row.get("address")[:300],
        lat=lat,
        lng=lng,
    )


def _node_for(
    row: SheetRow, context: ImportContext, lat: float | None, lng: float | None, problem: Report
) -> JurisdictionNode | None:
    if row.get("node"):
        node = context.nodes.get(row.get("node"))
        if node is None:
            problem("node", _("辖区代码不存在或不在您的辖区内。"))
        return node
    grid_id = locate_grid_id(lng=lng, lat=lat) if lat is not None and lng is not None else None
    grid = JurisdictionNode.objects.filter(pk=grid_id).first() if grid_id else None
    if grid is None or not node_in_scope(context.actor, grid):
        problem("node", _("请填写辖区代码，或填写落在您辖区内某个网格中的坐标。"))
        return None
    return grid


def _plan(row: SheetRow) -> PlannedDevice:
    return PlannedDevice(
        row=row.number,
        serial=row.get("serial"),
        device_type=_choice(row.get("device_type"), DeviceType),
        premises_code=row.get("premises"),
        room=row.get("room"),
        floor=_int(row.get("floor")),
        imei=row.get("imei"),
        platform=_choice(row.get("platform"), Platform) or Platform.GENERIC,
        platform_device_id=row.get("platform_device_id")[:64],
        vendor=row.get("vendor")[:50],
        model=row.get("model")[:50],
        interval=_int(row.get("heartbeat_interval_s")) or 300,
        secret=row.get("secret"),
    )
