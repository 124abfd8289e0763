"""Printable documents: the enforcement decision and the premises' QR label sheets, as PDF made
offline with reportlab and its built-in CID font STSong-Light (no font file needed; readers
substitute a Song typeface)."""

import io
from collections.abc import Iterable

from django.utils import timezone
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from shouwang.inspections.models import Enforcement
from shouwang.places.models import Premises

FONT = "STSong-Light"


def _font() -> str:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def enforcement_pdf(decision: Enforcement) -> bytes:
    font = _font()
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4)
    page.setTitle(f"决定书 {decision.number}")
    width, height = A4
    page.setFont(font, 20)
    title = "行政处理决定书"
    page.drawCentredString(width / 2, height - 30 * mm, title)
    page.setFont(font, 11)
    page.drawCentredString(width / 2, height - 38 * mm, f"文号：{decision.number}")
    hazard = decision.hazard
    provision = decision.provision
    lines = [
        f"当事场所：{hazard.premises.name}（{hazard.premises.code}）",
        f"场所地址：{hazard.premises.address}",
        f"隐患事项：{hazard.item.text if hazard.item else hazard.case.description[:60]}",
        f"隐患等级：{hazard.get_level_display()}    事件编号：{hazard.case_id}",
        f"处理措施：{decision.get_kind_display()}",
        f"法律依据：{provision.law} {provision.article}",
        f"条款内容：{provision.summary}",
    ]
    if decision.amount is not None:
        lines.append(f"罚款金额：人民币 {decision.amount} 元")
    decided = timezone.localtime(decision.decided_at)
    lines += ["", f"决定时间：{decided:%Y年%m月%d日 %H:%M}", "（守望平台生成）"]
    y = height - 55 * mm
    for line in lines:
        page.drawString(25 * mm, y, line[:60])
        y -= 9 * mm
    page.showPage()
    page.save()
    return buffer.getvalue()


LABEL_COLUMNS, LABEL_ROWS = 3, 4  # 12 labels of 70 x 74 mm on an A4 sheet
LABEL_W, LABEL_H = A4[0] / LABEL_COLUMNS, A4[1] / LABEL_ROWS


def qr_labels_pdf(premises: Iterable[Premises], base_url: str) -> tuple[bytes, int]:
    """A4 sheets of labels, one per premises with a QR token: the QR code of its public page,
    its name and code. Returns the PDF and the number of labels."""
    font = _font()
    buffer = io.BytesIO()
    sheet = canvas.Canvas(buffer, pagesize=A4)
    sheet.setTitle("场所安全码")
    count = 0
    for place in premises:
        if not place.qr_token:
            continue
        slot = count % (LABEL_COLUMNS * LABEL_ROWS)
        if count and slot == 0:
            sheet.showPage()
        col, row = slot % LABEL_COLUMNS, slot // LABEL_COLUMNS
        x, y = col * LABEL_W, A4[1] - (row + 1) * LABEL_H
        _label(sheet, font, place, f"{base_url.rstrip('/')}/q/{place.qr_token}/", x, y)
        count += 1
    sheet.showPage()
    sheet.save()
    return buffer.getvalue(), count


def _label(sheet: canvas.Canvas, font: str, place: Premises, url: str, x: float, y: float) -> None:
    widget = QrCodeWidget(url, barLevel="M")
    left, bottom, right, top = widget.getBounds()
    size = 46 * mm
    drawing = Drawing(
        size, size, transform=[size / (right - left), 0, 0, size / (top - bottom), 0, 0]
    )
    drawing.add(widget)
    renderPDF.draw(drawing, sheet, x + (LABEL_W - size) / 2, y + 20 * mm)
    sheet.setFont(font, 11)
    sheet.drawCentredString(x + LABEL_W / 2, y + 14 * mm, "扫码查看场所安全等级")
    sheet.setFont(font, 10)
    sheet.drawCentredString(x + LABEL_W / 2, y + 8 * mm, place.name[:18])
    sheet.setFont(font, 8)
    sheet.drawCentredString(x + LABEL_W / 2, y + 3 * mm, place.code)
    sheet.setDash(2, 2)
    sheet.rect(x + 2 * mm, y + 1 * mm, LABEL_W - 4 * mm, LABEL_H - 2 * mm)
    sheet.setDash()
