"""What the push formats share: the replay window, timestamps, JSON bodies."""

import json
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from shouwang.devices.push.errors import Malformed, Replayed


def window_seconds(name: str) -> int:
    """SHOUWANG_DEVICES_REPLAY_WINDOW_S or SHOUWANG_DEVICES_PLATFORM_WINDOW_S (settings.py)."""
    value: int = getattr(settings, name)
    return value


def check_fresh(at: datetime, now: datetime, window: int) -> None:
    if abs((now - at).total_seconds()) > window:
        raise Replayed(extra={"window_seconds": window})


def epoch_to_datetime(value: Any) -> datetime:
    """Epoch seconds or milliseconds (platforms use both) to an aware UTC datetime."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise Malformed(_("时间戳格式错误。"), extra={"field": "timestamp"})
    try:
        number = float(value)
    except ValueError as exc:
        raise Malformed(_("时间戳格式错误。"), extra={"field": "timestamp"}) from exc
    seconds = number / 1000 if number > 10**11 else number
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise Malformed(_("时间戳格式错误。"), extra={"field": "timestamp"}) from exc


def parse_time(value: Any) -> datetime:
    """An epoch number or an ISO 8601 string with its offset."""
    if isinstance(value, str) and not value.strip().replace(".", "", 1).isdigit():
        try:
            parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError as exc:
            raise Malformed(_("时间格式错误。"), extra={"field": "at"}) from exc
        if parsed.tzinfo is None:
            raise Malformed(_("时间须带时区。"), extra={"field": "at"})
        return parsed
    return epoch_to_datetime(value)


def json_object(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise Malformed(_("消息体不是有效的 JSON。")) from exc
    if not isinstance(data, dict):
        raise Malformed(_("消息体应为 JSON 对象。"))
    return data


def text_field(data: dict[str, Any], name: str, *, required: bool = True) -> str:
    value = data.get(name)
    if value is None or value == "":
        if required:
            raise Malformed(_("缺少字段：%(name)s") % {"name": name}, extra={"field": name})
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise Malformed(_("字段格式错误：%(name)s") % {"name": name}, extra={"field": name})
    return str(value)
