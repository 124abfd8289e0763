"""Domain errors. Services raise them; one handler per entry point (API, views) turns them into
the HTTP status and one body shape: {"error": {"code", "message", "extra"}}."""

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class ApplicationError(Exception):
    status = 400
    code = "error"
    default_message: str | Promise = _("请求无法完成。")

    def __init__(
        self, message: str | Promise | None = None, *, extra: dict[str, Any] | None = None
    ):
        self.message = message if message is not None else self.default_message
        self.extra = extra or {}
        super().__init__(str(self.message))

    def as_body(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": str(self.message), "extra": self.extra}}


class NotFound(ApplicationError):
    status = 404
    code = "not_found"
    default_message = _("找不到该对象，或不在您的辖区内。")


class OutOfJurisdiction(NotFound):
    """Answered like NotFound on purpose: telling 'exists but not yours' would leak existence."""

    code = "not_found"


class PermissionDeniedError(ApplicationError):
    status = 403
    code = "permission_denied"
    default_message = _("您没有执行此操作的权限。")


class InvalidInput(ApplicationError):
    status = 422
    code = "invalid"
    default_message = _("输入有误。")


class IllegalTransition(ApplicationError):
    status = 409
    code = "illegal_transition"
    default_message = _("当前状态下不能执行此操作。")


class Conflict(ApplicationError):
    status = 409
    code = "conflict"
    default_message = _("与现有数据冲突。")


class Overloaded(ApplicationError):
    status = 503
    code = "overloaded"
    default_message = _("服务器繁忙，请稍后重试。")
