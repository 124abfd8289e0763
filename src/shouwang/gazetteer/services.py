"""Loading a city's addresses into the gazetteer: one row at a time, each checked on its own so
one bad row is reported by its line number and the rest still load; a row already there (same
address text) is updated in place, so importing the same file twice changes nothing."""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from shouwang.core.geo.locate import locate_grid_id
from shouwang.core.models import JurisdictionNode
from shouwang.core.versions import version_bump
from shouwang.gazetteer.models import Address, AddressKind
from shouwang.gazetteer.normalise import address_key, pinyin_initials
from shouwang.gazetteer.selectors import GAZETTEER_VERSION_KEY, gazetteer_forget, town_names

COLUMNS = ("address", "lat", "lng", "node_code", "kind")


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line, message)


def guess_kind(text: str) -> AddressKind:
    if (any(ch.isdigit() for ch in text) and "号" in text) or text[-1:].isdigit():
        return AddressKind.HOUSE
    if text.endswith("村"):
        return AddressKind.VILLAGE
    if text.endswith(("社区", "小区", "苑", "花园")):
        return AddressKind.COMMUNITY
    return AddressKind.LANDMARK


def read_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row) from a CSV (UTF-8, with or without BOM) or an Excel workbook's first
    sheet; the first line names the columns."""
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        from openpyxl import load_workbook

        sheet = load_workbook(path, read_only=True, data_only=True).worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = [str(c or "").strip().lower() for c in next(rows, ())]
        for n, values in enumerate(rows, start=2):
            cells = ["" if v is None else str(v).strip() for v in values]
            yield n, dict(zip(header, cells, strict=False))
        return
    import csv

    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        reader.fieldnames = [(f or "").strip().lower() for f in reader.fieldnames or []]
        for n, row in enumerate(reader, start=2):
            yield n, {k: (v or "").strip() for k, v in row.items() if k}


def addresses_import(*, rows: Iterable[tuple[int, dict[str, str]]]) -> ImportReport:
    report = ImportReport()
    towns = town_names()
    nodes = dict(JurisdictionNode.objects.values_list("code", "id"))
    for line, row in rows:
        try:
            outcome = _import_row(row, towns=towns, nodes=nodes)
        except ValueError as exc:
            report.errors.append((line, str(exc)))
            continue
        setattr(report, outcome, getattr(report, outcome) + 1)
    if report.created or report.updated:
        version_bump(GAZETTEER_VERSION_KEY)
        gazetteer_forget()
    return report


@transaction.atomic
def _import_row(row: dict[str, str], *, towns: tuple[str, ...], nodes: dict[str, int]) -> str:
    text = (row.get("address") or "").strip()
    if not text:
        raise ValueError(_("缺少地址。"))
    if len(text) > 200:
        raise ValueError(_("地址过长（最多200字）。"))
    try:
        lat, lng = float(row.get("lat") or ""), float(row.get("lng") or "")
    except ValueError:
        raise ValueError(_("经纬度不是数字。")) from None
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise ValueError(_("坐标超出范围。"))
    code = (row.get("node_code") or "").strip()
    if code:
        if code not in nodes:
            raise ValueError(_("没有区划代码为 %(code)s 的辖区。") % {"code": code})
        node_id: int | None = nodes[code]
    else:
        node_id = locate_grid_id(lng=lng, lat=lat)
    kind_text = (row.get("kind") or "").strip()
    if kind_text and kind_text not in AddressKind.values:
        raise ValueError(_("类型应为 %(kinds)s 之一。") % {"kinds": ", ".join(AddressKind.values)})
    kind = kind_text or guess_kind(text)
    key = address_key(text, towns=towns)
    values = {
        "kind": kind,
        "lat": lat,
        "lng": lng,
        "node_id": node_id,
        "key": key,
        "initials": pinyin_initials(key) if kind != AddressKind.HOUSE else "",
    }
    existing = Address.objects.select_for_update().filter(text=text).first()
    if existing is None:
        Address.objects.create(text=text, **values)
        return "created"
    if all(getattr(existing, name) == value for name, value in values.items()):
        return "unchanged"
    for name, value in values.items():
        setattr(existing, name, value)
    existing.save()
    return "updated"
