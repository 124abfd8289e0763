"""Submitting an inspection: the answers are checked whole before anything is written, then the
inspection, its answers and one hazard case per failed item are written in one transaction."""

import base64
import binascii
import io
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

from shouwang.cases.feeders import CaseChannel, CaseKind, case_open
from shouwang.core.errors import Conflict, InvalidInput, PermissionDeniedError
from shouwang.core.geo.coords import distance_m
from shouwang.core.models import User
from shouwang.core.roles import INSPECTION_ROLES
from shouwang.inspections.config import gps_tolerance_m
from shouwang.inspections.deadlines import hazard_deadline
from shouwang.inspections.models import (
    Answer,
    ChecklistItem,
    ChecklistTemplate,
    Hazard,
    Inspection,
    InspectionSignature,
)
from shouwang.inspections.selectors import inspection_get
from shouwang.inspections.services.notices import tell_responsible
from shouwang.inspections.services.plans import plan_entries_count_visit
from shouwang.inspections.services.stars import premises_stars_refresh
from shouwang.places.models import AlarmContact, ContactRole, Premises
from shouwang.places.selectors import premises_get

MAX_PHOTO_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class AnswerIn:
    item: str
    ok: bool
    note: str = ""
    photo: str = ""  # a data URL or bare base64 of a JPEG/PNG/WebP, optional


@dataclass
class Submitted:
    inspection: Inspection
    hazards: list[Hazard] = field(default_factory=list)
    replayed: bool = False  # the same draft was already submitted: nothing new was written


def inspection_submit(
    *,
    actor: User,
    premises_code: str,
    template_code: str,
    answers: list[AnswerIn],
    lat: float | None = None,
    lng: float | None = None,
    idempotency_key: str = "",
    template_version: int | None = None,
) -> Submitted:
    """Records one inspection. Refuses (nothing written): a role that does not inspect (403), a
    premises outside the actor's area (404), an unknown template or one for another kind, an
    unknown or repeated item, a required item unanswered, a photo that is not an image (422),
    a draft key already used for another premises or by someone else (409). The same draft
    sent again gives back the first inspection."""
    if actor.role not in INSPECTION_ROLES:
        raise PermissionDeniedError(_("只有检查人员可以录入检查记录。"))
    premises = premises_get(user=actor, code=premises_code)
    if idempotency_key:
        earlier = _earlier_submission(actor, premises, idempotency_key)
        if earlier is not None:
            return earlier
    template = _template_for(premises, template_code, template_version)
    items = {item.code: item for item in template.items.all()}
    _check_answers(answers, items)
    photos = {a.item: _decode_photo(a.item, a.photo) for a in answers if a.photo}
    try:
        with transaction.atomic():
            inspection = _inspection_create(actor, premises, template, lat, lng, idempotency_key)
            hazards = []
            for answer in answers:
                item = items[answer.item]
                row = Answer(inspection=inspection, item=item, ok=answer.ok, note=answer.note[:500])
                if answer.item in photos:
                    content, extension = photos[answer.item]
                    row.photo.save(f"{inspection.pk}-{item.code}.{extension}", content, save=False)
                row.save()
                if not answer.ok:
                    hazards.append(_hazard_open(actor, inspection, item, answer.note))
            InspectionSignature.objects.create(
                inspection=inspection,
                person=actor,
                unit_name=actor.unit.name if actor.unit_id and actor.unit else "",
            )
            plan_entries_count_visit(inspection=inspection)
            premises_stars_refresh(premises=premises)
    except IntegrityError:
        # The same draft sent twice at once: the second insert lost on the unique key, and
        # everything it wrote (the hazard cases too) was rolled back; answer with the first.
        earlier = _earlier_submission(actor, premises, idempotency_key) if idempotency_key else None
        if earlier is None:
            raise
        return earlier
    return Submitted(inspection=inspection, hazards=hazards)


def _earlier_submission(actor: User, premises: Premises, key: str) -> Submitted | None:
    earlier = Inspection.objects.filter(idempotency_key=key).first()
    if earlier is None:
        return None
    if earlier.inspector_id != actor.pk or earlier.premises_id != premises.pk:
        raise Conflict(_("该草稿编号已被另一条检查记录使用。"), extra={"field": "draft"})
    hazards = list(earlier.hazards.order_by("case_id"))
    return Submitted(inspection=earlier, hazards=hazards, replayed=True)


def _template_for(premises: Premises, code: str, version: int | None) -> ChecklistTemplate:
    templates = ChecklistTemplate.objects.filter(code=code)
    template = (
        templates.filter(version=version).first()
        if version is not None
        else templates.filter(is_current=True).first()
    )
    if template is None:
        raise InvalidInput(_("没有这个检查清单。"), extra={"field": "template"})
    if template.premises_kind not in ("", premises.kind):
        raise InvalidInput(_("该检查清单不适用于这类场所。"), extra={"field": "template"})
    return template


def _check_answers(answers: list[AnswerIn], items: dict[str, ChecklistItem]) -> None:
    codes = [a.item for a in answers]
    unknown = sorted({c for c in codes if c not in items})
    if unknown:
        raise InvalidInput(
            _("清单中没有这些检查项。"), extra={"field": "answers", "items": unknown}
        )
    repeated = sorted({c for c in codes if codes.count(c) > 1})
    if repeated:
        raise InvalidInput(_("检查项重复作答。"), extra={"field": "answers", "items": repeated})
    missing = [code for code, item in items.items() if item.required and code not in codes]
    if missing:
        raise InvalidInput(_("必答检查项未作答。"), extra={"field": "answers", "missing": missing})


PHOTO_EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}


def _decode_photo(item: str, data: str) -> tuple[ContentFile[bytes], str]:
    refusal = InvalidInput(_("照片不是有效的图片。"), extra={"field": "photo", "item": item})
    _head, _sep, payload = data.rpartition(",")
    try:
        raw = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise refusal from exc
    if not raw or len(raw) > MAX_PHOTO_BYTES:
        raise refusal
    try:
        with Image.open(io.BytesIO(raw)) as image:
            image.verify()
            extension = PHOTO_EXTENSIONS.get(str(image.format))
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise refusal from exc
    if extension is None:
        raise refusal
    return ContentFile(raw), extension


def _inspection_create(
    actor: User,
    premises: Premises,
    template: ChecklistTemplate,
    lat: float | None,
    lng: float | None,
    key: str,
) -> Inspection:
    if (lat is None) != (lng is None) or (
        lat is not None and lng is not None and not (-90 <= lat <= 90 and -180 <= lng <= 180)
    ):
        raise InvalidInput(_("坐标无效。"), extra={"field": "lat"})
    distance = None
    if (
        lat is not None
        and lng is not None
        and premises.lat is not None
        and premises.lng is not None
    ):
        distance = round(distance_m(lng, lat, premises.lng, premises.lat), 1)
    return Inspection.objects.create(
        premises=premises,
        template=template,
        inspector=actor,
        node=premises.node,
        lat=lat,
        lng=lng,
        distance_m=distance,
        far_from_premises=distance is not None and distance > gps_tolerance_m(),
        idempotency_key=key or f"server:{timezone.now().timestamp()}:{actor.pk}:{premises.pk}",
    )


def landlord_of(premises: Premises) -> User | None:
    """The responsible person of a premises' hazards: its first active landlord contact."""
    contact = (
        AlarmContact.objects.filter(
            premises=premises, role=ContactRole.LANDLORD, person__is_active=True
        )
        .select_related("person")
        .order_by("order", "id")
        .first()
    )
    return contact.person if contact is not None else None


def _hazard_open(actor: User, inspection: Inspection, item: ChecklistItem, note: str) -> Hazard:
    premises = inspection.premises
    description = f"{premises.name}：{item.text}" + (f"（{note.strip()}）" if note.strip() else "")
    opened = case_open(
        actor=actor,
        category_code=item.category_code,
        description=description[:4000],
        channel=CaseChannel.INSPECTION,
        kind=CaseKind.HAZARD,
        lat=premises.lat,
        lng=premises.lng,
        address=premises.address,
        node=premises.node,
        source="inspections.hazard",
        source_ref=str(inspection.pk),
    )
    now = timezone.now()
    deadline = hazard_deadline(level=item.severity, start=now)
    hazard = Hazard.objects.create(
        case=opened.case,
        premises=premises,
        node=premises.node,
        inspection=inspection,
        item=item,
        level=item.severity,
        responsible=landlord_of(premises),
        found_at=now,
        first_deadline=deadline,
        deadline=deadline,
    )
    Inspection.objects.filter(pk=inspection.pk).update(failed_count=F("failed_count") + 1)
    tell_responsible(hazard=hazard, what="found")
    return hazard


@transaction.atomic
def inspection_sign(*, actor: User, inspection_id: int) -> InspectionSignature:
    """A member of a joint team signs the inspection record (once; a second time gives the
    first signature back). Refused: a role that does not inspect (403), an inspection outside
    the actor's area (404)."""
    if actor.role not in INSPECTION_ROLES:
        raise PermissionDeniedError(_("只有检查人员可以签名。"))
    inspection = inspection_get(user=actor, inspection_id=inspection_id)
    signature, _created = InspectionSignature.objects.get_or_create(
        inspection=inspection,
        person=actor,
        defaults={"unit_name": actor.unit.name if actor.unit_id and actor.unit else ""},
    )
    return signature
