"""The delivery channels, one module each, behind one `Deliverer` protocol keyed by Channel."""

from shouwang.notify.deliverers.base import Deliverer, DeliveryRuntime, Outcome, OutcomeKind
from shouwang.notify.deliverers.robots import RobotDeliverer
from shouwang.notify.deliverers.sms import SmsDeliverer
from shouwang.notify.deliverers.webhook import WebhookDeliverer
from shouwang.notify.deliverers.websocket import WebsocketDeliverer
from shouwang.notify.models import Channel, RobotKind

DELIVERERS: dict[Channel, Deliverer] = {
    Channel.WEBSOCKET: WebsocketDeliverer(),
    Channel.WEBHOOK: WebhookDeliverer(),
    Channel.DINGTALK: RobotDeliverer(RobotKind.DINGTALK),
    Channel.WECOM: RobotDeliverer(RobotKind.WECOM),
    Channel.SMS: SmsDeliverer(),
}

__all__ = ["DELIVERERS", "Deliverer", "DeliveryRuntime", "Outcome", "OutcomeKind"]
