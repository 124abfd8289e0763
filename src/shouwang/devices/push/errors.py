"""Why a push is refused. Same body shape as every other API error; the messages are for the
operator reading a platform's delivery log."""

from django.utils.translation import gettext_lazy as _

from shouwang.core.errors import ApplicationError


class PushRefused(ApplicationError):
    status = 400
    code = "malformed"
    default_message = _("推送消息格式错误。")


class Malformed(PushRefused):
    pass


class SignatureMissing(PushRefused):
    status = 401
    code = "signature_missing"
    default_message = _("推送消息缺少签名。")


class SignatureInvalid(PushRefused):
    status = 401
    code = "signature_invalid"
    default_message = _("推送消息签名无效。")


class Replayed(PushRefused):
    status = 401
    code = "replayed"
    default_message = _("推送消息时间戳超出允许范围，可能是重放。")


class SourceNotAllowed(PushRefused):
    status = 403
    code = "source_not_allowed"
    default_message = _("推送来源地址不在白名单内。")
