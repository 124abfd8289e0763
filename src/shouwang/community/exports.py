"""Excel export of the points scheme for a node and month: the summary, who earned what, and
the redemptions to hand over (what town staff print)."""

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from shouwang.community import selectors
from shouwang.community.models import AlertResponse, Redemption
from shouwang.core.models import User
from shouwang.core.selectors import node_get


def points_workbook(*, user: User, node_code: str, month: str | None) -> bytes:
    summary = selectors.points_summary(user=user, node_code=node_code)
    node = node_get(user=user, code=node_code)
    start, end = selectors.month_bounds(month)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("汇总")
    sheet.append([_("辖区"), _("月份"), _("已发放"), _("已兑换"), _("余额")])
    sheet.append(
        [node.name, start.strftime("%Y-%m"), summary.issued, summary.redeemed, summary.outstanding]
    )
    ranking = book.create_sheet(_("积分排行"))
    ranking.append([_("名次"), _("姓名"), _("本月积分")])
    rows = selectors.leaderboard(user=user, node_code=node_code, month=month, limit=1000)
    for place, row in enumerate(rows, start=1):
        ranking.append([place, row.person, row.points])
    spent = book.create_sheet(_("兑换记录"))
    spent.append([_("申请时间"), _("姓名"), _("商品"), _("数量"), _("积分"), _("状态")])
    redemptions = Redemption.objects.filter(
        item__town__path__startswith=node.path, requested_at__gte=start, requested_at__lt=end
    ).select_related("person", "item")
    for r in redemptions:
        spent.append(
            [
                timezone.localtime(r.requested_at).strftime("%Y-%m-%d %H:%M"),
                r.person.display_name,
                r.item.name,
                r.quantity,
                r.points,
                str(r.get_state_display()),
            ]
        )
    hours = book.create_sheet(_("巡防时长"))
    hours.append([_("姓名"), _("巡防小时")])
    for hours_row in selectors.patrol_hours(node=node, start=start, end=end, by="person"):
        hours.append([hours_row.label, hours_row.hours])
    alerts = book.create_sheet(_("联防响应"))
    alerts.append([_("报警时间"), _("联防组"), _("成员"), _("响应（秒）"), _("到场（秒）")])
    responses = (
        AlertResponse.objects.filter(
            alert__group__node__path__startswith=node.path,
            alert__raised_at__gte=start,
            alert__raised_at__lt=end,
        )
        .select_related("alert__group", "person")
        .order_by("alert__raised_at", "id")
    )
    for response in responses:
        raised = response.alert.raised_at
        acked, arrived = response.acked_at, response.arrived_at
        alerts.append(
            [
                timezone.localtime(raised).strftime("%Y-%m-%d %H:%M:%S"),
                response.alert.group.name,
                response.person.display_name,
                int((acked - raised).total_seconds()) if acked else None,
                int((arrived - raised).total_seconds()) if arrived else None,
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
