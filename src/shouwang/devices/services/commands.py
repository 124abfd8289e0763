"""Commands to devices over MQTT (silence the sounder, run a self-test). Sent at once or not at
all: a silence that reached the device minutes late could silence the next, real alarm, so a
broker that does not take the command within seconds is reported (503) rather than retried."""

import uuid

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shouwang.core.errors import ApplicationError, Conflict, InvalidInput, PermissionDeniedError
from shouwang.core.models import AuditAction, Role, User
from shouwang.core.services.audit import audit_record
from shouwang.devices.models import Device
from shouwang.devices.mqtt.bridge import mqtt_bridge_ensure
from shouwang.devices.mqtt.topics import COMMANDS, command_payload, command_topic

PUBLISH_TIMEOUT_SECONDS = 5.0
AUDIT_DEVICE_COMMAND = AuditAction.DEVICE_COMMAND


class CommandNotDelivered(ApplicationError):
    status = 503
    code = "unavailable"
    default_message = _("消息服务器暂时不可用，命令未发出。")


def device_command_send(*, actor: User, device: Device, command: str) -> str:
    """Publishes the command to the device's downlink topic (QoS 1) and waits for the broker
    to take it. The caller has fetched `device` through a scoped selector. Audited."""
    if command not in COMMANDS:
        raise InvalidInput(_("未知命令：%(command)s") % {"command": command})
    if actor.role == Role.VOLUNTEER and not actor.is_superuser:
        raise PermissionDeniedError()
    bridge = mqtt_bridge_ensure()
    if bridge is None:
        raise Conflict(_("未配置 MQTT（SHOUWANG_MQTT_URL），无法下发命令。"))
    command_id = uuid.uuid4().hex
    payload = command_payload(command_id=command_id, command=command, at=timezone.now())
    info = bridge.events.publish(command_topic(device.serial), payload, qos=1)
    info.wait_for_publish(timeout=PUBLISH_TIMEOUT_SECONDS)
    if not info.is_published():
        raise CommandNotDelivered()
    audit_record(
        action=AUDIT_DEVICE_COMMAND,
        actor=actor,
        target=device,
        node_path=device.premises.node.path,
        detail={"command": command, "id": command_id},
    )
    return command_id
