"""DingTalk robot signing (加签), as published in DingTalk's robot documentation:
sign = urlencode(base64(HMAC-SHA256(key=secret, msg=f"{timestamp}\\n{secret}"))), with
`timestamp` in milliseconds; both go into the query string. DingTalk refuses a timestamp more
than an hour away from its clock. WeCom robots are authenticated by the key in their URL alone."""

import base64
import hashlib
import hmac
from urllib.parse import quote_plus


def dingtalk_sign(*, secret: str, timestamp_ms: int) -> str:
    """The URL-encoded `sign` query value."""
    string_to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode(), string_to_sign, hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest))


def dingtalk_signed_url(*, url: str, secret: str, timestamp_ms: int) -> str:
    """The robot URL (which already carries access_token) with `timestamp` and `sign` added."""
    separator = "&" if "?" in url else "?"
    sign = dingtalk_sign(secret=secret, timestamp_ms=timestamp_ms)
    return f"{url}{separator}timestamp={timestamp_ms}&sign={sign}"
