"""Photos on a case. An upload is checked before anything is stored: within the size limit,
really an image (decoded by Pillow, not trusted by its name or content type), JPEG, PNG or WebP
only, not a decompression bomb. It is then re-encoded from its pixels, which drops the EXIF
block, comments (COM), XMP and every other side channel — a phone
photo's EXIF carries where it was taken and on what device (PIPL) — after applying the EXIF
orientation so the picture stays upright. The stored name is generated; the client's is
ignored."""

import hashlib
import io
import uuid
import warnings

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

from shouwang.cases import clock
from shouwang.cases.models import Attachment, Case, TimelineKind
from shouwang.cases.rules.sla import SHANGHAI
from shouwang.cases.services.step import Step, case_step
from shouwang.cases.states import CaseState
from shouwang.core.errors import IllegalTransition, InvalidInput
from shouwang.core.models import User

FORMATS = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
}
MAX_PIXELS = 40_000_000  # a 40-megapixel phone photo; beyond is a bomb, not a picture


def max_upload_bytes() -> int:
    return int(settings.SHOUWANG_ATTACHMENT_MAX_BYTES)


def checked_image(data: bytes) -> tuple[bytes, str, int, int]:
    """(re-encoded bytes, Pillow format, width, height), or InvalidInput."""
    if len(data) > max_upload_bytes():
        raise InvalidInput(
            _("照片不能超过 %(mb)d MB。") % {"mb": max_upload_bytes() // (1024 * 1024)},
            extra={"field": "file"},
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                image_format = probe.format or ""
                probe.verify()  # structure and checksums, without decoding the pixels
            with Image.open(io.BytesIO(data)) as image:
                if image.width * image.height > MAX_PIXELS:
                    raise InvalidInput(_("照片尺寸过大。"), extra={"field": "file"})
                image.load()
                upright = ImageOps.exif_transpose(image)
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        OSError,
        SyntaxError,
        ValueError,
    ) as exc:
        raise InvalidInput(_("文件不是有效的图片。"), extra={"field": "file"}) from exc
    if image_format not in FORMATS:
        raise InvalidInput(_("只接受 JPEG、PNG 或 WebP 格式的照片。"), extra={"field": "file"})
    return _reencode(upright, image_format), image_format, upright.width, upright.height


def _reencode(image: Image.Image, image_format: str) -> bytes:
    """Pixels only: Pillow writes back what it read into `info` (a JPEG's COM comment, EXIF,
    XMP, ICC profile, PNG text); the orientation was applied to the pixels already."""
    image = image.copy() if image_format != "JPEG" else image.convert("RGB")
    image.info = {}
    out = io.BytesIO()
    if image_format == "JPEG":
        image.save(out, "JPEG", quality=88, optimize=True)
    elif image_format == "WEBP":
        image.save(out, "WEBP", quality=88)
    else:
        image.save(out, "PNG", optimize=True)
    return out.getvalue()


def attachment_add(*, actor: User, case: Case, data: bytes, note: str = "") -> Attachment:
    """Checks and stores one photo on a case anyone involved may see. Nothing is written (no
    file, no row) when the check fails; a file written for a transaction that then fails is
    removed again."""
    content, image_format, width, height = checked_image(data)
    content_type, extension = FORMATS[image_format]
    day = clock.now().astimezone(SHANGHAI)
    name = f"cases/{day:%Y/%m}/{uuid.uuid4().hex}.{extension}"
    stored, committed = "", False
    try:
        with transaction.atomic(), case_step(case, actor=actor, action=None) as step:
            if step.case.state == CaseState.MERGED:
                raise IllegalTransition(_("已合并的事件不能再上传照片，请上传到合并后的事件。"))
            stored = default_storage.save(name, ContentFile(content))
            attachment = attachment_record(step, stored, content, content_type, width, height, note)
        committed = True
        return attachment
    finally:
        if stored and not committed:
            default_storage.delete(stored)


def attachment_record(
    step: Step,
    stored: str,
    content: bytes,
    content_type: str,
    width: int,
    height: int,
    note: str,
) -> Attachment:
    """The photo's timeline event and row, inside a step on its case (also a citizen's report,
    services/citizen.py). Announced to the room, not the screens."""
    event = step.record(
        TimelineKind.ATTACHMENT_ADDED,
        data={"name": stored, "size": len(content), "note": note.strip()[:200]},
        public=False,
        transition=False,
        screens=False,
        save_now=True,
    )
    attachment = Attachment(
        case=step.case,
        event=event,
        file=stored,
        content_type=content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        width=width,
        height=height,
        note=note.strip()[:200],
        uploaded_by=step.actor,
        created_at=event.at,
    )
    attachment.full_clean(exclude=["case", "event", "uploaded_by"])
    attachment.save()
    return attachment
