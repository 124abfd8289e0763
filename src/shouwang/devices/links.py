"""Signed acknowledgement links for the cards posted to DingTalk and WeCom groups, where the
reader is not signed in to Shouwang: the link itself proves which contact of which alarm it is
for. Signed with the site's secret key (django.core.signing), valid for a day."""

from django.conf import settings
from django.core import signing

SALT = "shouwang.devices.ack-link"
MAX_AGE_SECONDS = 24 * 3600


def ack_link_token(*, notice_id: int) -> str:
    return signing.dumps({"n": notice_id}, salt=SALT, compress=True)


def ack_link_notice_id(token: str) -> int | None:
    """The notice a token was made for, or None when it is forged, altered or expired."""
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE_SECONDS)
    except signing.BadSignature:
        return None
    notice_id = data.get("n") if isinstance(data, dict) else None
    return notice_id if isinstance(notice_id, int) else None


def ack_link_url(*, notice_id: int) -> str:
    """Absolute when SHOUWANG_PUBLIC_URL is set (it must be, for links leaving the site)."""
    base = str(settings.SHOUWANG_PUBLIC_URL).rstrip("/")
    return f"{base}/devices/ack/{ack_link_token(notice_id=notice_id)}/"
