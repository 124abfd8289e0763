"""Registering devices and platform subscriptions. Every change tells each process's device
directory to reload (ingest/directory.py), after commit."""

import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from shouwang.core.errors import Conflict, InvalidInput, OutOfJurisdiction
from shouwang.core.models import JurisdictionNode, User
from shouwang.core.selectors import node_in_scope
from shouwang.devices.ingest.directory import registry_changed
from shouwang.devices.models import Device, DeviceType, Platform, PushSubscription
from shouwang.devices.push.ctwing import url_secret_hash
from shouwang.devices.secrets_store import DEVICE_SECRET_AAD, ONENET_TOKEN_AAD, seal
from shouwang.places.models import Premises, Room


def new_secret() -> str:
    return secrets.token_urlsafe(24)


def _clean(instance: Device | PushSubscription) -> None:
    try:
        instance.full_clean()
    except ValidationError as exc:
        raise InvalidInput(extra={"fields": exc.message_dict}) from exc


@transaction.atomic
def device_register(
    *,
    serial: str,
    device_type: DeviceType | str,
    premises: Premises,
    room: Room | None = None,
    imei: str | None = None,
    platform: Platform | str = Platform.GENERIC,
    platform_device_id: str = "",
    vendor: str = "",
    model: str = "",
    heartbeat_interval_s: int = 300,
    secret: str = "",
    simulated: bool = False,
    actor: User | None = None,
) -> Device:
    """A new device at `premises`. `secret` keys our generic HMAC push (stored encrypted);
    an actor may only register devices at premises in their jurisdiction."""
    if actor is not None and not node_in_scope(actor, premises.node):
        raise OutOfJurisdiction()
    if Device.objects.filter(serial=serial).exists():
        raise Conflict(_("设备序列号已存在。"), extra={"field": "serial"})
    device = Device(
        serial=serial,
        device_type=device_type,
        premises=premises,
        room=room,
        imei=imei or None,
        platform=platform,
        platform_device_id=platform_device_id,
        vendor=vendor,
        model=model,
        heartbeat_interval_s=heartbeat_interval_s,
        secret_cipher=seal(secret, aad=DEVICE_SECRET_AAD),
        simulated=simulated,
    )
    _clean(device)
    device.save()
    transaction.on_commit(registry_changed)
    return device


@transaction.atomic
def device_secret_rotate(*, device: Device) -> str:
    """A fresh secret for the generic push, returned once; the old one stops working."""
    secret = new_secret()
    device.secret_cipher = seal(secret, aad=DEVICE_SECRET_AAD)
    device.save(update_fields=["secret_cipher"])
    transaction.on_commit(registry_changed)
    return secret


@transaction.atomic
def push_subscription_create(
    *,
    code: str,
    platform: Platform,
    name: str,
    node: JurisdictionNode,
    token: str = "",
    url_secret: str = "",
    allowed_sources: str = "",
) -> PushSubscription:
    """OneNET subscriptions need the push `token`; CTWing ones the secret of their push URL
    (only its SHA-256 is kept)."""
    if platform == Platform.ONENET and not token:
        raise InvalidInput(_("OneNET 推送须填写 token。"), extra={"field": "token"})
    if platform == Platform.CTWING and len(url_secret) < 16:
        raise InvalidInput(_("CTWing 推送地址密钥至少 16 位。"), extra={"field": "url_secret"})
    subscription = PushSubscription(
        code=code,
        platform=platform,
        name=name,
        node=node,
        token_cipher=seal(token, aad=ONENET_TOKEN_AAD),
        url_secret_hash=url_secret_hash(url_secret) if url_secret else None,
        allowed_sources=allowed_sources,
    )
    _clean(subscription)
    subscription.save()
    return subscription
