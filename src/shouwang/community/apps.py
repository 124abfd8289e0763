from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from shouwang.core.demo.steps import DemoStep, register_demo_step


class CommunityConfig(AppConfig):
    name = "shouwang.community"
    label = "community"
    verbose_name = _("群防群治与平安积分")

    def ready(self) -> None:
        from shouwang.community.workers import community_workers_register

        community_workers_register()
        _home_links_add()
        register_demo_step(DemoStep("community", _seed_demo_community))


def _seed_demo_community(seed: int, scale: str) -> int:
    from shouwang.community.demo.seed import seed_demo_community

    return seed_demo_community(seed=seed, scale=scale)


def _home_links_add() -> None:
    from shouwang.core.role_home import HOME_LINKS, HomeLink
    from shouwang.core.roles import COMMAND_ROLES, COMMUNITY_MEMBER_ROLES, POINTS_STAFF_ROLES

    citizens = COMMUNITY_MEMBER_ROLES
    staff = POINTS_STAFF_ROLES
    links = [
        HomeLink(_("平安积分"), _("我的积分、明细与兑换（手机）"), "community-points", citizens),
        HomeLink(
            _("巡防打卡"), _("上岗下岗、扫码打卡、轨迹（手机）"), "community-patrol", citizens
        ),
        HomeLink(_("十户联防"), _("一键报警、响应与到场（手机）"), "community-groups", citizens),
        HomeLink(
            _("群防群治"), _("积分发放兑换、巡防时长、联防响应"), "community-figures", COMMAND_ROLES
        ),
        HomeLink(_("积分兑换审批"), _("批准、发放或驳回兑换申请"), "community-redemptions", staff),
    ]
    for link in links:
        if all(existing.url_name != link.url_name for existing in HOME_LINKS):
            HOME_LINKS.append(link)
