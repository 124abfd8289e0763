"""Which CAP messages a reader may see: public ones for everyone; restricted ones only for a
signed-in reader whose jurisdiction holds the alert's node."""

from django.db.models import Q
from django.utils import timezone

from shouwang.core.errors import NotFound
from shouwang.core.models import User
from shouwang.core.selectors import scope_q
from shouwang.devices.models import CapAlert, CapScope


def _visible(user: User | None) -> Q:
    public = Q(scope=CapScope.PUBLIC)
    if user is None or not user.is_authenticated:
        return public
    return public | (Q(scope=CapScope.RESTRICTED) & scope_q(user, via="node"))


def cap_alerts_current(*, user: User | None, limit: int = 500) -> list[CapAlert]:
    """Messages not superseded and not expired, newest first."""
    now = timezone.now()
    alerts = CapAlert.objects.filter(_visible(user), superseded_at__isnull=True).filter(
        Q(expires__isnull=True) | Q(expires__gt=now)
    )
    return list(alerts.select_related("node").order_by("-sent", "-id")[:limit])


def cap_alert_get(*, user: User | None, identifier: str) -> CapAlert:
    alert = CapAlert.objects.filter(_visible(user), identifier=identifier).first()
    if alert is None:
        raise NotFound()
    return alert


def cap_alert_is_restricted(*, identifier: str) -> bool:
    return CapAlert.objects.filter(identifier=identifier, scope=CapScope.RESTRICTED).exists()
