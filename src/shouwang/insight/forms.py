"""The KPI page's filter: a period of whole Asia/Shanghai days (default: the last 14, today
included) and the node to show (default: the top of the user's jurisdiction)."""

from datetime import date, timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shouwang.cases.selectors import MAX_PERIOD, SHANGHAI
from shouwang.insight.selectors import Period

DEFAULT_DAYS = 14
PRESET_DAYS = (1, 7, 14, 30, 90)


def today() -> date:
    return timezone.now().astimezone(SHANGHAI).date()


def last_days(days: int) -> Period:
    end = today()
    return Period(first=end - timedelta(days=days - 1), last=end)


class KpiFilters(forms.Form):
    since = forms.DateField(required=False, error_messages={"invalid": _("请输入有效的开始日期。")})
    until = forms.DateField(required=False, error_messages={"invalid": _("请输入有效的结束日期。")})
    node = forms.CharField(required=False, max_length=15)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        last = data.get("until") or today()
        first = data.get("since") or last - timedelta(days=DEFAULT_DAYS - 1)
        if first > last:
            raise forms.ValidationError(_("开始日期不能晚于结束日期。"))
        if (last - first).days + 1 > MAX_PERIOD.days:
            raise forms.ValidationError(_("统计期最长 %(days)d 天。") % {"days": MAX_PERIOD.days})
        data["period"] = Period(first=first, last=last)
        return data

    def period(self) -> Period:
        period = self.cleaned_data["period"]
        assert isinstance(period, Period)
        return period

    def node_code(self) -> str | None:
        return str(self.cleaned_data.get("node") or "") or None
