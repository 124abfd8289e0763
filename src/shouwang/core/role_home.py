"""What each role finds on its home page. Apps add their entries to HOME_LINKS as their screens
land, so the home page never links to something that isn't there."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from shouwang.core.models import Role, User
from shouwang.core.roles import (
    CITIZEN_FACING_ROLES,
    COMMAND_ROLES,
    FIELD_ROLES,
    STAFF_ROLES,
    SUPERVISOR_ROLES,
    VIEW_AUDIT,
)

ALL_ROLES = frozenset(Role)


@dataclass(frozen=True)
class HomeLink:
    title: str | Promise
    description: str | Promise
    url_name: str
    roles: frozenset[str] = ALL_ROLES
    permission: str | None = None

    @property
    def url(self) -> str:
        return reverse(self.url_name)


HOME_LINKS: list[HomeLink] = [
    HomeLink(_("指挥台"), _("接警、派单与实时事件列表"), "console", roles=COMMAND_ROLES),
    HomeLink(_("大屏"), _("投屏：今日数据、地图与最新事件"), "screen", roles=COMMAND_ROLES),
    HomeLink(_("我的任务"), _("接单、到场、处置反馈（手机）"), "field-tasks", roles=FIELD_ROLES),
    HomeLink(_("新建接警"), _("键盘录入来电，查重与合并"), "console-intake", roles=COMMAND_ROLES),
    HomeLink(_("随手拍"), _("上报隐患与求助，拍照定位"), "citizen-report"),
    HomeLink(
        _("进度查询"),
        _("凭受理编号查看处理进度"),
        "citizen-track-lookup",
        roles=CITIZEN_FACING_ROLES,
    ),
    HomeLink(
        _("核查结案"), _("核查处置结果，通过或退回"), "supervise-verify", roles=SUPERVISOR_ROLES
    ),
    HomeLink(_("回访"), _("已结案事件的满意度回访"), "supervise-callbacks", roles=SUPERVISOR_ROLES),
    HomeLink(_("闭环指标"), _("8分钟到场率、按时率、分流与满意度"), "kpi", roles=COMMAND_ROLES),
    HomeLink(
        _("发送失败的通知"),
        _("查看并重新发送失败的通知"),
        "notify-dead-letters",
        roles=COMMAND_ROLES,
    ),
    HomeLink(_("辖区"), _("查看辖区树、边界与下级单位"), "jurisdiction"),
    HomeLink(
        _("审计日志"),
        _("登录、权限变更与个人信息查看记录"),
        "admin:core_auditentry_changelist",
        permission=VIEW_AUDIT,
    ),
    HomeLink(_("后台管理"), _("人员、单位、辖区的维护"), "admin:index", roles=STAFF_ROLES),
    HomeLink(_("接口文档"), _("OpenAPI 接口与在线调试"), "api:openapi-view"),
]


def home_sections(user: User) -> list[HomeLink]:
    return [
        link
        for link in HOME_LINKS
        if (user.is_superuser or user.role in link.roles)
        and (link.permission is None or user.has_perm(link.permission))
    ]
