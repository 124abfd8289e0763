"""Importing rental premises and rooms from a spreadsheet (Excel .xlsx, or CSV) at city scale.

Columns (Chinese or English headers, first row): 场所编码/premises, 场所名称/name, 地址/address,
辖区代码/node, 纬度/lat, 经度/lng, 房东账号/landlord, 房间号/room, 楼层/floor, 面积/area_m2,
床位/beds. One row is one room; the premises is created on its first row. A bad row is
reported with its number and reason, nothing of it written, and the others go in. Running the
same file again changes nothing (premises by code, rooms by number, landlords once)."""

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from itertools import islice
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from shouwang.core.errors import ApplicationError, InvalidInput
from shouwang.core.models import JurisdictionNode, Role, User
from shouwang.housing.models import RoomSpec
from shouwang.housing.services.registry import MAX_BEDS, manager_add
from shouwang.places.models import Premises, PremisesKind, Room
from shouwang.places.services import premises_create

COLUMNS: dict[str, tuple[str, ...]] = {
    "premises": ("场所编码", "premises", "premises_code"),
    "name": ("场所名称", "name", "premises_name"),
    "address": ("地址", "address"),
    "node": ("辖区代码", "node", "node_code"),
    "lat": ("纬度", "lat"),
    "lng": ("经度", "lng"),
    "landlord": ("房东账号", "landlord"),
    "room": ("房间号", "room"),
    "floor": ("楼层", "floor"),
    "area_m2": ("面积", "area_m2", "面积（平方米）"),
    "beds": ("床位", "beds", "床位数"),
}
CHUNK = 500
MAX_AREA = Decimal(10000)
_HEADERS = {s.strip().lower(): c for c, spellings in COLUMNS.items() for s in spellings}


@dataclass
class ImportResult:
    rows: int = 0
    premises_created: int = 0
    rooms: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)


def _cells(values: tuple[object, ...], columns: list[str | None]) -> dict[str, str]:
    return {
        column: "" if value is None else str(value).strip()
        for column, value in zip(columns, values, strict=False)
        if column
    }


def sheet_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """(row number as the sheet shows it, cells by column), streaming: a 500,000-row workbook
    is never held in memory at once."""
    if path.suffix.lower() == ".csv":
        reader = csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig")))
        rows: Iterator[tuple[object, ...]] = (tuple(r) for r in reader)
    else:
        sheet = load_workbook(path, read_only=True, data_only=True).active
        if sheet is None:
            raise InvalidInput(_("Excel 文件没有工作表。"), extra={"field": "file"})
        rows = sheet.iter_rows(values_only=True)
    header = next(rows, None)
    if header is None:
        raise InvalidInput(_("文件是空的。"))
    columns = [_HEADERS.get(str(h or "").strip().lower()) for h in header]
    for required in ("premises", "room"):
        if required not in columns:
            raise InvalidInput(_("缺少必需的列：%(column)s") % {"column": COLUMNS[required][0]})
    for number, values in enumerate(rows, start=2):
        cells = _cells(values, columns)
        if any(cells.values()):
            yield number, cells


def _decimal(text: str, column: str) -> Decimal | None:
    if not text:
        return None
    try:
        return Decimal(text)
    except InvalidOperation as exc:
        raise InvalidInput(_("%(column)s 不是数字。") % {"column": column}) from exc


def _int(text: str, column: str) -> int | None:
    value = _decimal(text, column)
    return int(value) if value is not None else None


@dataclass
class _RoomRow:
    premises: Premises | None
    number: str
    floor: int | None
    area_m2: Decimal | None
    beds: int | None


class _Importer:
    def __init__(self) -> None:
        self.premises: dict[str, Premises] = {}
        self.nodes: dict[str, JurisdictionNode] = {}
        self.landlords: dict[str, User | None] = {}
        self.managers: set[tuple[int, int]] = set()

    def premises_of(self, cells: dict[str, str]) -> tuple[Premises, bool]:
        code = cells["premises"]
        if code in self.premises:
            return self.premises[code], False
        created = False
        found = Premises.objects.filter(code=code).first()
        if found is None:
            node_code = cells.get("node", "")
            node = (
                self.nodes.get(node_code) or JurisdictionNode.objects.filter(code=node_code).first()
            )
            lat, lng = _decimal(cells.get("lat", ""), "lat"), _decimal(cells.get("lng", ""), "lng")
            found = premises_create(
                code=code,
                name=cells.get("name") or code,
                kind=PremisesKind.RENTAL_HOUSE,
                node=node,
                address=cells.get("address", ""),
                lat=float(lat) if lat is not None else None,
                lng=float(lng) if lng is not None else None,
            )
            created = True
        self.premises[code] = found
        return found, created

    def landlord(self, username: str) -> User:
        if username not in self.landlords:
            self.landlords[username] = User.objects.filter(username=username).first()
        user = self.landlords[username]
        if user is None:
            raise InvalidInput(_("房东账号 %(name)s 不存在。") % {"name": username})
        if user.role != Role.LANDLORD:
            raise InvalidInput(_("只有房东/物业账号可以管理出租房。"))
        return user

    def prepare(self, cells: dict[str, str], result: ImportResult) -> _RoomRow:
        """Checks a row and makes its premises and landlord; the room waits for the chunk's
        bulk write. Everything that can refuse the row is checked before anything is written."""
        if not cells.get("premises") or not cells.get("room"):
            raise InvalidInput(_("场所编码和房间号必填。"))
        area = _decimal(cells.get("area_m2", ""), _("面积"))
        beds = _int(cells.get("beds", ""), _("床位"))
        if area is not None and not 0 <= area <= MAX_AREA:
            raise InvalidInput(_("面积须在 0 到 10000 平方米之间。"))
        if beds is not None and not 0 <= beds <= MAX_BEDS:
            raise InvalidInput(_("床位数不合理。"))
        row = _RoomRow(
            premises=None,
            number=cells["room"][:20],
            floor=_int(cells.get("floor", ""), _("楼层")),
            area_m2=area,
            beds=beds,
        )
        landlord = self.landlord(cells["landlord"]) if cells.get("landlord") else None
        row.premises, created = self.premises_of(cells)
        if landlord is not None and (row.premises.pk, landlord.pk) not in self.managers:
            manager_add(premises=row.premises, user=landlord)
            self.managers.add((row.premises.pk, landlord.pk))
        result.premises_created += created
        return row


def _write_rooms(rows: list[_RoomRow]) -> None:
    """The chunk's rooms in three statements: rooms inserted unless there, their ids read
    back, and their sizes inserted or (where the sheet gives both) brought up to date."""
    by_key = {(r.premises.pk, r.number): r for r in rows if r.premises is not None}
    Room.objects.bulk_create(
        [Room(premises_id=p, number=n, floor=r.floor) for (p, n), r in by_key.items()],
        ignore_conflicts=True,
    )
    found = Room.objects.filter(
        premises_id__in={p for p, _n in by_key}, number__in={n for _p, n in by_key}
    ).values_list("premises_id", "number", "pk")
    ids = {(p, n): pk for p, n, pk in found if (p, n) in by_key}
    full = [
        RoomSpec(room_id=ids[key], area_m2=r.area_m2, beds=r.beds)
        for key, r in by_key.items()
        if r.area_m2 is not None and r.beds is not None
    ]
    partial = [
        RoomSpec(room_id=ids[key], area_m2=r.area_m2 or Decimal(0), beds=r.beds or 1)
        for key, r in by_key.items()
        if r.area_m2 is None or r.beds is None
    ]
    RoomSpec.objects.bulk_create(
        full, update_conflicts=True, unique_fields=["room"], update_fields=["area_m2", "beds"]
    )
    RoomSpec.objects.bulk_create(partial, ignore_conflicts=True)


def housing_import(*, path: Path, progress: Callable[[int], object] | None = None) -> ImportResult:
    """Imports every good row of the file; returns counts and the bad rows with reasons. Rows
    are checked one by one (a bad row is reported and skipped, nothing of it written) and
    committed CHUNK at a time with their rooms written in bulk: a commit or a savepoint per
    row would set the pace (37 rows a second, docs/performance.md)."""
    importer, result = _Importer(), ImportResult()
    rows = sheet_rows(path)
    while True:
        chunk = list(islice(rows, CHUNK))
        if not chunk:
            return result
        good: list[_RoomRow] = []
        with transaction.atomic():
            for number, cells in chunk:
                result.rows += 1
                try:
                    good.append(importer.prepare(cells, result))
                except ApplicationError as exc:
                    detail = exc.extra.get("fields") if exc.extra else None
                    reason = f"{exc.message}{' ' + str(detail) if detail else ''}"
                    result.errors.append((number, reason))
            _write_rooms(good)
        result.rooms += len(good)
        if progress is not None:
            progress(len(chunk))
