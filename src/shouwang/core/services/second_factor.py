"""Second sign-in factor (TOTP, RFC 6238) for administrators: the `admin` role and superusers,
and leaders when SHOUWANG_OTP_FOR_LEADERS is set. Devices are django-otp's TOTPDevice (it
throttles wrong codes with growing delays); ten single-use recovery codes are stored as keyed
hashes only. The QR code is drawn here (segno, SVG), never by an outside service."""

import hashlib
import hmac
import secrets
from dataclasses import dataclass

import segno
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from shouwang.core.models import AuditAction, AuditResult, RecoveryCode, Role, User
from shouwang.core.services.audit import audit_record

RECOVERY_CODE_COUNT = 10
TOTP_DIGITS = 6
DEVICE_NAME = "守望 Shouwang"


@dataclass(frozen=True)
class Enrolment:
    uri: str
    recovery_codes: list[str]


def second_factor_required(user: User) -> bool:
    if not user.is_active:
        return False
    if user.is_superuser or user.role == Role.ADMIN:
        return True
    return bool(settings.SHOUWANG_OTP_FOR_LEADERS) and user.role == Role.LEADER


def second_factor_enrolled(user: User) -> bool:
    return bool(TOTPDevice.objects.filter(user=user, confirmed=True).exists())


def _recovery_digest(code: str) -> str:
    normalised = code.replace("-", "").replace(" ", "").lower()
    key = f"shouwang-recovery:{settings.SECRET_KEY}".encode()
    return hmac.new(key, normalised.encode(), hashlib.sha256).hexdigest()


def _new_recovery_codes(user: User) -> list[str]:
    RecoveryCode.objects.filter(user=user).delete()
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODE_COUNT)]
    RecoveryCode.objects.bulk_create(
        [RecoveryCode(user=user, digest=_recovery_digest(c)) for c in codes]
    )
    return codes


def provisioning_uri(device: TOTPDevice) -> str:
    return str(device.config_url)


def qr_svg(uri: str) -> str:
    """The QR code as an inline SVG document (no style attribute, so CSP allows it)."""
    return str(segno.make(uri, error="m").svg_inline(scale=4, omitsize=True))


def qr_terminal(uri: str) -> str:
    """The QR code drawn with block characters, for a terminal."""
    import io

    out = io.StringIO()
    segno.make(uri, error="m").terminal(out=out, compact=True)
    return out.getvalue().rstrip("\n")


def second_factor_begin(*, user: User) -> TOTPDevice:
    """An unconfirmed device for enrolment in the browser; confirmed by the first good code."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def second_factor_pending_device(*, user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()


def second_factor_confirm(
    *, user: User, code: str, request: HttpRequest | None = None
) -> list[str] | None:
    """Confirms the pending device with its first code; returns the new recovery codes, or None
    when the code is wrong."""
    device = second_factor_pending_device(user=user)
    if device is None or not device.verify_token(code.strip()):
        _audit_failure(user=user, request=request)
        return None
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _new_recovery_codes(user)
        audit_record(
            action=AuditAction.SECOND_FACTOR_ENROLLED, actor=user, request=request, target=user
        )
    return codes


def second_factor_enrol(
    *, user: User, actor: User | None, request: HttpRequest | None = None
) -> Enrolment:
    """Replaces the person's devices with a new confirmed one (for `shouwang otp-enrol`)."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=True)
        codes = _new_recovery_codes(user)
        audit_record(
            action=AuditAction.SECOND_FACTOR_ENROLLED,
            actor=actor,
            actor_username="" if actor else "system",
            request=request,
            target=user,
            node_path=user.node.path if user.node else "",
        )
    return Enrolment(uri=provisioning_uri(device), recovery_codes=codes)


def second_factor_verify(*, user: User, code: str, request: HttpRequest | None = None) -> bool:
    """A current code from the person's app, or one unused recovery code (then spent)."""
    code = (code or "").strip()
    if code.isdigit() and len(code) == TOTP_DIGITS:
        for device in TOTPDevice.objects.filter(user=user, confirmed=True):
            if device.verify_token(code):
                return True
    elif code:
        spent = RecoveryCode.objects.filter(
            user=user, digest=_recovery_digest(code), used_at__isnull=True
        ).update(used_at=timezone.now())
        if spent:
            return True
    _audit_failure(user=user, request=request)
    return False


def second_factor_reset(
    *, user: User, actor: User | None, request: HttpRequest | None = None
) -> None:
    """Removes the person's devices and recovery codes: they enrol again at next sign-in."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        RecoveryCode.objects.filter(user=user).delete()
        audit_record(
            action=AuditAction.SECOND_FACTOR_RESET,
            actor=actor,
            actor_username="" if actor else "system",
            request=request,
            target=user,
            node_path=user.node.path if user.node else "",
        )


def _audit_failure(*, user: User, request: HttpRequest | None) -> None:
    audit_record(
        action=AuditAction.SECOND_FACTOR_FAILED,
        result=AuditResult.FAILURE,
        actor_username=user.get_username(),
        request=request,
        target=user,
        node_path=user.node.path if user.node else "",
    )
