"""Writes to the category taxonomy (from the admin). Pinyin initials are computed here so a
dispatcher can find 电动车违规充电 by typing "ddc"."""

from django.db import transaction
from pypinyin import Style, lazy_pinyin

from shouwang.cases.models import Category
from shouwang.cases.services.validation import full_clean_or_invalid


def pinyin_initials(name: str) -> str:
    return "".join(lazy_pinyin(name, style=Style.FIRST_LETTER)).lower()[:60]


@transaction.atomic
def category_save(*, category: Category) -> Category:
    """Creates or updates a category, with its initials recomputed from its name."""
    category.pinyin_initials = pinyin_initials(category.name)
    full_clean_or_invalid(category)
    category.save()
    return category
