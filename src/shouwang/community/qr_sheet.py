"""The printable sheet of a patrol post: its QR code (segno, drawn offline), name and code, as
a one-page A4 PDF written by Pillow. The code opens the check-in page for the post."""

import io
from pathlib import Path

import segno
from django.utils.translation import gettext as _
from PIL import Image, ImageDraw, ImageFont

from shouwang.community.models import PatrolPost

A4_AT_150_DPI = (1240, 1754)
# CJK fonts to try, in order; without one the name prints in the default font.
FONT_PATHS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
)


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for path in FONT_PATHS:
        if Path(path).exists():
            return ImageFont.truetype(path, size)
    return ImageFont.load_default()


def post_qr_pdf(*, post: PatrolPost, url: str) -> bytes:
    qr = io.BytesIO()
    segno.make(url, error="m").save(qr, kind="png", scale=20, border=2)
    qr.seek(0)
    page = Image.new("RGB", A4_AT_150_DPI, "white")
    with Image.open(qr) as drawn:
        code = drawn.convert("RGB").resize((900, 900))
        page.paste(code, ((A4_AT_150_DPI[0] - 900) // 2, 320))
    draw = ImageDraw.Draw(page)
    draw.text((170, 140), post.name, fill="black", font=_font(72))
    draw.text((170, 1280), f"{post.get_kind_display()} · {post.code}", fill="black", font=_font(48))
    draw.text((170, 1380), _("扫码打卡"), fill="black", font=_font(40))
    out = io.BytesIO()
    page.save(out, format="PDF", resolution=150.0)
    return out.getvalue()
