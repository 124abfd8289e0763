"""The citizen's report page in a real browser: no broken "照片预览" image before a photo is
chosen (the stylesheet's display rule used to override `hidden`) (issue 15, "Citizens")."""

from importlib import import_module
from typing import Any

import pytest

from shouwang.testing.browser import PHONE


@pytest.fixture(autouse=True)
def categories(flushable_db: None) -> None:
    """A flushed database lacks the taxonomy the data migration installs: put it back."""
    from django.apps import apps

    import_module("shouwang.cases.migrations.0002_default_categories").install(apps, None)


def test_the_report_page_shows_no_photo_preview_before_a_photo(
    chromium: Any, live_server_url: str
) -> None:
    context = chromium.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()

    page.goto(f"{live_server_url}/report/")

    assert page.locator("[data-photo-preview]").count() == 1
    assert not page.locator("[data-photo-preview]").is_visible()
    context.close()
