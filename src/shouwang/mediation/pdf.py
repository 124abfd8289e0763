"""The people's-mediation agreement (人民调解协议书) as a PDF, in the usual layout: title and
number, the parties, the main facts and points in dispute, the responsibilities, the agreed
obligations (amount, how, where, when), the performance clause, and the signature block.
Drawn with reportlab's built-in CID font STSong-Light, so no font file is needed. Parties'
names and phones appear masked: the printed copy for the parties is signed by hand."""

from decimal import Decimal
from io import BytesIO

from django.utils.timezone import get_default_timezone
from django.utils.translation import gettext as _
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from shouwang.mediation.models import MediationFile, PartyRole

FONT = "STSong-Light"
BEIJING = get_default_timezone()  # settings.TIME_ZONE


def _styles() -> tuple[ParagraphStyle, ParagraphStyle, ParagraphStyle]:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    title = ParagraphStyle("title", fontName=FONT, fontSize=18, leading=26, alignment=TA_CENTER)
    head = ParagraphStyle("head", fontName=FONT, fontSize=12, leading=20, spaceBefore=6)
    body = ParagraphStyle("body", fontName=FONT, fontSize=11, leading=18, firstLineIndent=22)
    return title, head, body


def agreement_pdf(file: MediationFile) -> bytes:
    """The agreement of `file` (which must have one), as PDF bytes."""
    title, head, body = _styles()
    agreement = file.agreement
    number = f"{file.accepted_at.astimezone(BEIJING):%Y}-{file.pk:04d}"
    story: list[Flowable] = [
        Paragraph(_("人民调解协议书"), title),
        Paragraph(_("编号：%(number)s") % {"number": number}, head),
        Paragraph(_("当事人"), head),
    ]
    for party in file.parties.all():
        role = _("申请人") if party.role == PartyRole.APPLICANT else _("被申请人")
        story.append(
            Paragraph(
                _("%(role)s：%(name)s　联系电话：%(phone)s　身份证号：%(id)s")
                % {
                    "role": role,
                    "name": party.name_masked,
                    "phone": party.phone_masked or "—",
                    "id": party.id_number_masked or "—",
                },
                body,
            )
        )
    story += [
        Paragraph(_("纠纷主要事实、争议事项"), head),
        Paragraph(agreement.facts or "—", body),
        Paragraph(_("各方责任"), head),
        Paragraph(agreement.responsibilities or "—", body),
        Paragraph(_("经调解，自愿达成如下协议"), head),
    ]
    rows = [[_("序号"), _("义务人"), _("金额（元）"), _("履行方式"), _("履行地点"), _("履行期限")]]
    total = Decimal("0")
    for index, obligation in enumerate(agreement.obligations.all(), start=1):
        total += obligation.amount
        rows.append(
            [
                str(index),
                obligation.debtor.name_masked,
                f"{obligation.amount:,.2f}",
                obligation.how,
                obligation.where or "—",
                obligation.due.strftime("%Y-%m-%d"),
            ]
        )
    table = Table(rows, colWidths=[12 * mm, 28 * mm, 28 * mm, 30 * mm, 38 * mm, 28 * mm])
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 10),
                ("GRID", (0, 0), (-1, -1), 0.5, "black"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    signed = agreement.signed_at.astimezone(BEIJING)
    story += [
        table,
        Paragraph(_("合计金额：人民币 %(total)s 元。") % {"total": f"{total:,.2f}"}, body),
        Paragraph(_("履行方式、时限"), head),
        Paragraph(
            _(
                "各方当事人应按上述约定的方式、地点和期限履行。本协议经各方当事人签名（盖章）、"
                "人民调解员签名并加盖人民调解委员会印章后生效，具有法律约束力。"
                "本协议一式三份，当事人各执一份，调解组织留存一份。"
            ),
            body,
        ),
        Spacer(1, 12 * mm),
        Paragraph(_("当事人（签名）：＿＿＿＿＿＿　　　当事人（签名）：＿＿＿＿＿＿"), head),
        Paragraph(_("人民调解员（签名）：＿＿＿＿＿＿　　记录人（签名）：＿＿＿＿＿＿"), head),
        Paragraph(_("调解组织：%(studio)s（盖章）") % {"studio": file.studio.name}, head),
        Paragraph(f"{signed:%Y年%m月%d日}", head),
    ]
    buffer = BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=_("人民调解协议书"),
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
    )
    document.build(story)
    return buffer.getvalue()
