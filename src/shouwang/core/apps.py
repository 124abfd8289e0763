from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "shouwang.core"
    label = "core"
    verbose_name = _("基础：辖区、人员与审计")

    def ready(self) -> None:
        from shouwang.core import audit_hooks  # noqa: F401  (connects sign-in audit receivers)
        from shouwang.core.models import ApiToken, JurisdictionNode, Unit, User
        from shouwang.core.refcache import ACCESS, remember_changes_of

        # Signals, not service calls: the admin, the importers and the services all write
        # these, and a stale copy would route a case to the wrong unit.
        remember_changes_of(JurisdictionNode, Unit)
        # Bearer tokens and their people, read on every API request and socket connect.
        remember_changes_of(User, ApiToken, space=ACCESS)
