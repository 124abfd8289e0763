"""The hazard list as an Excel workbook (the rectification ledger offices print): one row per
hazard with premises, item, level, state, rounds and dates in Asia/Shanghai time. No phone
numbers: the responsible person by name only."""

import io
from collections.abc import Iterable
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from shouwang.inspections.models import Hazard

MAX_ROWS = 50_000  # a town's ledger; larger areas export by town


def _local(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value is not None else ""


def hazards_workbook(hazards: Iterable[Hazard]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("隐患整改台账")[:31]
    headers = [
        _("事件编号"),
        _("场所编码"),
        _("场所"),
        _("隐患"),
        _("隐患等级"),
        _("整改状态"),
        _("整改轮次"),
        _("整改责任人"),
        _("发现时间"),
        _("整改期限"),
        _("销号时间"),
    ]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for count, hazard in enumerate(hazards):
        if count >= MAX_ROWS:
            break
        sheet.append(
            [
                hazard.case_id,
                hazard.premises.code,
                hazard.premises.name,
                hazard.item.text if hazard.item else hazard.case.description[:200],
                str(hazard.get_level_display()),
                str(hazard.get_status_display()),
                hazard.rounds,
                hazard.responsible.display_name if hazard.responsible else "",
                _local(hazard.found_at),
                _local(hazard.deadline),
                _local(hazard.closed_at),
            ]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
