"""Masks for showing personal data on screen, lists and exports.

PIPL art. 51 and GB/T 35273-2020 §7.5 (limits on display) ask for de-identified display
where the full value is not needed; the shapes below are the ones DOMAIN.md fixes
(``138****5678``, ``3301**********1234``). Every mask preserves length, so a masked column
still lines up.

Masks accept anything a database column may hold (including ``None`` or a malformed value)
and never raise: a display path must not fail because of bad stored data. A value that is not
the expected shape falls back to ``mask_generic``.
"""

import re

import phonenumbers

from .idnumber import normalise_id_number
from .phone import InvalidMobile, InvalidPhone, validate_mobile, validate_phone

MASK_CHAR = "*"
_ID_SHAPE = re.compile(r"[0-9]{17}[0-9X]")
# Generic rule: strings this short are all stars; longer ones show at most 3 + 4 characters
# and never more than half of the value.
_GENERIC_SHORT = 6
_GENERIC_HEAD = 3
_GENERIC_TAIL = 4


def mask_mobile(value: str | None) -> str:
    """``"13812345678"`` → ``"138****5678"``; other text → ``mask_generic``. Never raises."""
    text = _as_text(value)
    try:
        digits = validate_mobile(text)
    except InvalidMobile:
        return mask_generic(text)
    return digits[:3] + MASK_CHAR * 4 + digits[7:]


def mask_phone(value: str | None) -> str:
    """Any number ``validate_phone`` accepts: a mobile as ``mask_mobile``; a mainland landline
    or service number in its national form keeping the area code and the last 4 digits
    (``"+8657985512345"`` → ``"0579****2345"``); an international number keeping the country
    code and the last 4 (``"+971501234567"`` → ``"+971*****4567"``). Never raises."""
    text = _as_text(value)
    try:
        number = validate_phone(text) if text else ""
    except InvalidPhone:
        return mask_generic(text)
    if not number.startswith("+"):
        return mask_mobile(number)
    parsed = phonenumbers.parse(number)
    national = str(parsed.national_number)
    if parsed.country_code == 86:
        area = phonenumbers.length_of_geographical_area_code(parsed)
        if area:
            national, head = "0" + national, area + 1
        else:
            head = 3
        return national[:head] + MASK_CHAR * (len(national) - head - 4) + national[-4:]
    country = f"+{parsed.country_code}"
    return country + MASK_CHAR * (len(national) - 4) + national[-4:]


def mask_id_number(value: str | None) -> str:
    """``"330102199001011234"`` → ``"3301**********1234"`` (first 4, 10 stars, last 4).

    Only the 18-character shape is required, not a correct check digit, so legacy rows that
    fail validation still mask the usual way. Other text → ``mask_generic``. Never raises.
    """
    text = _as_text(value)
    number = normalise_id_number(text)
    if not _ID_SHAPE.fullmatch(number):
        return mask_generic(text)
    return number[:4] + MASK_CHAR * 10 + number[14:]


def mask_name(value: str | None) -> str:
    """Keep the first character, and the last one for names of 3+ characters.

    ``"张三"`` → ``"张*"``, ``"张三丰"`` → ``"张*丰"``, ``"欧阳娜娜"`` → ``"欧**娜"``.
    Surrounding whitespace is dropped. Never raises.
    """
    name = _as_text(value).strip()
    if len(name) <= 1:
        return MASK_CHAR * len(name)
    if len(name) == 2:
        return name[0] + MASK_CHAR
    return name[0] + MASK_CHAR * (len(name) - 2) + name[-1]


def mask_generic(value: str | None) -> str:
    """Mask any text: all stars up to 6 characters, else keep at most 3 + 4 at the ends.

    At most half of the characters stay visible (``"1234567"`` → ``"1*****7"``). Never raises.
    """
    text = _as_text(value)
    if len(text) <= _GENERIC_SHORT:
        return MASK_CHAR * len(text)
    head = min(_GENERIC_HEAD, len(text) // 4)
    tail = min(_GENERIC_TAIL, len(text) // 4)
    return text[:head] + MASK_CHAR * (len(text) - head - tail) + text[len(text) - tail :]


def _as_text(value: object) -> str:
    """Coerce whatever a column held into text; ``None`` becomes ``""``."""
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)
