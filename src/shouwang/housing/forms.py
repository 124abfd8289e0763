"""The landlord page's forms: they parse; the services decide."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RegisterForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    nationality = forms.CharField(label=_("国籍代码"), max_length=3, initial="CHN")
    id_number = forms.CharField(label=_("身份证号"), max_length=32, required=False)
    passport_number = forms.CharField(label=_("护照号（外籍）"), max_length=30, required=False)
    phone = forms.CharField(label=_("手机号"), max_length=20)
    moved_in = forms.DateField(label=_("入住日期"), widget=forms.DateInput(attrs={"type": "date"}))
    expected_end = forms.DateField(
        label=_("预计退租"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    card = forms.CharField(
        label=_("门禁卡号"),
        max_length=32,
        required=False,
        help_text=_("留空则按门禁控制器的卡号段自动发卡。"),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["moved_in"].initial = timezone.localdate()
        self.fields["id_number"].widget.attrs.update({"autocomplete": "off", "inputmode": "text"})
        self.fields["phone"].widget.attrs.update({"inputmode": "tel", "autocomplete": "off"})


class EndForm(forms.Form):
    moved_out = forms.DateField(label=_("退租日期"), widget=forms.DateInput(attrs={"type": "date"}))


class ListingForm(forms.Form):
    rent = forms.IntegerField(label=_("月租 (元)"), min_value=1, max_value=1_000_000)
    available_from = forms.DateField(
        label=_("可入住日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    rules = forms.CharField(label=_("租住须知"), max_length=500, required=False)


class VacancySearchForm(forms.Form):
    node = forms.ChoiceField(label=_("镇街"), required=False)
    min_rent = forms.IntegerField(label=_("最低月租"), required=False, min_value=0)
    max_rent = forms.IntegerField(label=_("最高月租"), required=False, min_value=0)
