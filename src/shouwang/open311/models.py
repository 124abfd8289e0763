"""What Open311 adds to the loop: the API keys other systems post with, and for each case posted
through Open311 a one-to-one detail record (which key posted it, the media URL it came with),
the way a hazard or a dispute keeps its own detail beside the case."""

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from shouwang.cases.models import Case
from shouwang.core.models import JurisdictionNode


class Open311ApiKey(models.Model):
    """A key for POST requests.json. Only the SHA-256 digest is stored: the key is shown once,
    when it is issued, so a leaked database does not leak working keys. A key with a node may
    only post requests that land inside that node's subtree."""

    name = models.CharField(_("名称"), max_length=100, help_text=_("使用该密钥的系统或单位。"))
    digest = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("密钥前缀"), max_length=12, editable=False)
    node = models.ForeignKey(
        JurisdictionNode,
        verbose_name=_("限定辖区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("留空表示全市；否则只能上报该辖区内的事件。"),
    )
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("签发时间"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("Open311 API 密钥")
        verbose_name_plural = _("Open311 API 密钥")
        ordering: ClassVar = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class Open311Request(models.Model):
    """The Open311 side of a case posted through requests.json. The reporter's e-mail, device id
    and account id are not kept: the case needs none of them (PIPL art. 6, data minimisation)."""

    case = models.OneToOneField(
        Case, on_delete=models.PROTECT, primary_key=True, related_name="open311_request"
    )
    api_key = models.ForeignKey(
        Open311ApiKey,
        verbose_name=_("API 密钥"),
        on_delete=models.PROTECT,
        related_name="requests",
    )
    media_url = models.URLField(_("媒体链接"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("Open311 上报")
        verbose_name_plural = _("Open311 上报")
        ordering: ClassVar = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.case} ← {self.api_key}"
