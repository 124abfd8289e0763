"""Reading a device spreadsheet (Excel .xlsx or CSV) into rows of named cells. Headers may be
Chinese or English; the first row names the columns. What the cells must hold is checked in
services/device_import_check.py; services/device_import.py reports every bad row at once and
writes nothing unless all are good."""

import csv
import io
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from openpyxl import load_workbook

from shouwang.core.errors import InvalidInput

MAX_ROWS = 10_000
MAX_BYTES = 10 * 1024 * 1024

# column -> the header spellings accepted (first is the one our template uses)
COLUMNS: dict[str, tuple[str, ...]] = {
    "serial": ("序列号", "serial", "设备序列号", "设备编号"),
    "device_type": ("设备类型", "device_type", "type"),
    "premises": ("场所编码", "premises", "premises_code"),
    "premises_name": ("场所名称", "premises_name"),
    "premises_kind": ("场所类型", "premises_kind"),
    "address": ("地址", "address"),
    "node": ("辖区代码", "node", "node_code"),
    "lat": ("纬度", "lat", "latitude"),
    "lng": ("经度", "lng", "lon", "longitude"),
    "room": ("房间号", "room"),
    "floor": ("楼层", "floor"),
    "imei": ("IMEI", "imei"),
    "vendor": ("厂商", "vendor"),
    "model": ("型号", "model"),
    "platform": ("接入方式", "platform"),
    "platform_device_id": ("平台设备ID", "platform_device_id"),
    "heartbeat_interval_s": ("心跳间隔（秒）", "心跳间隔", "heartbeat_interval_s", "heartbeat"),
    "secret": ("密钥", "secret"),
}
REQUIRED = ("serial", "device_type", "premises")
_HEADER_TO_COLUMN = {
    spelling.strip().lower(): column
    for column, spellings in COLUMNS.items()
    for spelling in spellings
}


@dataclass(frozen=True)
class SheetRow:
    number: int  # as the spreadsheet shows it: the header is row 1
    cells: dict[str, str]

    def get(self, column: str) -> str:
        return self.cells.get(column, "")


def read_rows(*, filename: str, content: bytes) -> list[SheetRow]:
    """The data rows, blank rows skipped. InvalidInput (422) for a file we cannot read, a
    missing required column, no data or too many rows."""
    if len(content) > MAX_BYTES:
        raise InvalidInput(_("文件过大，最大 10 MB。"))
    name = filename.lower()
    if name.endswith(".xlsx"):
        table = _xlsx(content)
    elif name.endswith(".csv"):
        table = _csv(content)
    else:
        raise InvalidInput(_("仅支持 .xlsx 和 .csv 文件。"), extra={"field": "file"})
    if not table:
        raise InvalidInput(_("文件是空的。"))
    columns = _columns(table[0])
    rows = [
        SheetRow(number, {c: v for c, v in zip(columns, values, strict=False) if c and v})
        for number, values in enumerate(table[1:], start=2)
        if any(values)
    ]
    if not rows:
        raise InvalidInput(_("文件中没有数据行。"))
    if len(rows) > MAX_ROWS:
        raise InvalidInput(_("一次最多导入 %(max)d 行。") % {"max": MAX_ROWS})
    return rows


def _columns(header: list[str]) -> list[str]:
    columns = [_HEADER_TO_COLUMN.get(cell.strip().lower(), "") for cell in header]
    missing = [COLUMNS[c][0] for c in REQUIRED if c not in columns]
    if missing:
        raise InvalidInput(
            _("缺少必需的列：%(columns)s") % {"columns": "、".join(missing)},
            extra={"missing_columns": missing},
        )
    return columns


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel stores 15-digit IMEIs and floors as floats
    return str(value).strip()


def _xlsx(content: bytes) -> list[list[str]]:
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises a dozen kinds for a file that is not a workbook
        raise InvalidInput(_("无法读取该 Excel 文件。"), extra={"field": "file"}) from exc
    try:
        sheet = book.worksheets[0]
        return [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


def _csv(content: bytes) -> list[list[str]]:
    # Excel in China saves CSV as GBK unless told otherwise; UTF-8 (with or without BOM) first.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise InvalidInput(_("无法识别 CSV 文件的编码，请另存为 UTF-8。"), extra={"field": "file"})
    return [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text))]
