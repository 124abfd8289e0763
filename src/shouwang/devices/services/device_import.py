"""Importing devices from a spreadsheet: every row is checked first and every problem reported
with its row and column, in Chinese and English; only a file without problems is written, in one
transaction. Nothing is ever half-imported. A row may name a premises that does not exist yet
when it also gives its name and a jurisdiction code or coordinates: it is created with it."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from shouwang.core.errors import InvalidInput, PermissionDeniedError
from shouwang.core.models import AuditAction, User
from shouwang.core.roles import DEVICE_IMPORT_ROLES
from shouwang.core.services.audit import audit_record
from shouwang.devices.ingest.directory import registry_changed
from shouwang.devices.models import Device
from shouwang.devices.secrets_store import DEVICE_SECRET_AAD, seal
from shouwang.devices.services.device_import_check import ImportContext, PlannedDevice, plan_rows
from shouwang.devices.spreadsheet import read_rows
from shouwang.places.models import Premises
from shouwang.places.services import premises_create, room_ensure


@dataclass(frozen=True)
class RowProblem:
    row: int
    column: str
    message: Promise
    params: dict[str, object]

    def text(self) -> str:
        return str(self.message) % self.params if self.params else str(self.message)

    def as_dict(self) -> dict[str, Any]:
        texts = {}
        for key, language in (("message_zh", "zh-hans"), ("message_en", "en")):
            with translation.override(language):
                texts[key] = self.text()
        return {"row": self.row, "column": self.column, **texts}


@dataclass
class ImportReport:
    rows: int
    devices_created: int = 0
    premises_created: int = 0
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def problems_json(self) -> list[dict[str, Any]]:
        return [problem.as_dict() for problem in self.problems]


def devices_import(
    *, actor: User, filename: str, content: bytes, request: HttpRequest | None = None
) -> ImportReport:
    """Checks the whole file, then writes all of it or nothing. Returns the report; its
    `problems` are empty exactly when something was written."""
    if not (actor.is_superuser or actor.role in DEVICE_IMPORT_ROLES):
        raise PermissionDeniedError(_("您没有导入设备的权限。"))
    rows = read_rows(filename=filename, content=content)
    context = ImportContext.load(actor=actor, rows=rows)
    planned, problems = plan_rows(rows, context)
    report = ImportReport(rows=len(rows))
    if problems:
        report.problems = [RowProblem(*problem) for problem in problems]
        return report
    with transaction.atomic():
        report.premises_created = _create_premises(context, actor)
        report.devices_created = _create_devices(planned, context)
        audit_record(
            action=AuditAction.DATA_IMPORTED,
            actor=actor,
            request=request,
            detail={"what": "devices", "file": filename[:100], "rows": len(rows)},
        )
        transaction.on_commit(registry_changed)
    return report


def _create_premises(context: ImportContext, actor: User) -> int:
    for planned in context.new_premises.values():
        context.premises[planned.code] = premises_create(
            code=planned.code,
            name=planned.name,
            kind=planned.kind,
            node=planned.node,
            address=planned.address,
            lat=planned.lat,
            lng=planned.lng,
            actor=actor,
        )
    return len(context.new_premises)


def _create_devices(planned: Iterable[PlannedDevice], context: ImportContext) -> int:
    devices = []
    for plan in planned:
        premises: Premises = context.premises[plan.premises_code]
        room = None
        if plan.room:
            room = room_ensure(premises=premises, number=plan.room, floor=plan.floor)
        device = Device(
            serial=plan.serial,
            device_type=plan.device_type,
            premises=premises,
            room=room,
            imei=plan.imei or None,
            platform=plan.platform,
            platform_device_id=plan.platform_device_id,
            vendor=plan.vendor,
            model=plan.model,
            heartbeat_interval_s=plan.interval,
            secret_cipher=seal(plan.secret, aad=DEVICE_SECRET_AAD),
        )
        try:
            device.full_clean(exclude=["premises", "room"], validate_unique=False)
        except ValidationError as exc:  # rows were checked one by one; this is a last defence
            raise InvalidInput(extra={"row": plan.row, "fields": exc.message_dict}) from exc
        devices.append(device)
    Device.objects.bulk_create(devices, batch_size=1000)
    return len(devices)
