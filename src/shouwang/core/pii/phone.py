"""Mainland China mobile numbers.

A mainland mobile number is 11 digits, ``1`` then a network digit 3–9 (MIIT's numbering
plan gives ``13``–``19`` to mobile networks; ``10``–``12`` are not subscriber numbers).
Phone numbers are personal information under PIPL art. 4: callers validate here, then
encrypt and mask.
"""

import re
import unicodedata
from typing import Literal

import phonenumbers

MobileErrorCode = Literal["format"]

# Separators people type or paste: spaces (incl. full-width, via NFKC), hyphens, dots
# and brackets around the country code, e.g. "(+86) 138-1234-5678".
_SEPARATORS = re.compile(r"[\s\-.()]")
_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_COUNTRY_PREFIXES = ("+86", "0086")


class InvalidMobile(ValueError):
    """A value that is not a mainland mobile number; ``code`` is always ``"format"``."""

    def __init__(self, code: MobileErrorCode, message: str) -> None:
        super().__init__(message)
        self.code: MobileErrorCode = code
        self.message = message


def validate_mobile(value: str) -> str:
    """Validate a mainland mobile number and return its 11 digits.

    Accepts an optional ``+86``, ``0086`` or ``86`` prefix, spaces, hyphens and full-width
    digits. Raises ``InvalidMobile`` when what remains is not ``1[3-9]`` and 9 more digits.
    """
    if not isinstance(value, str):
        raise InvalidMobile("format", "A mobile number must be text.")
    digits = _SEPARATORS.sub("", unicodedata.normalize("NFKC", value))
    digits = _strip_country_code(digits)
    if not _MOBILE.fullmatch(digits):
        raise InvalidMobile("format", "A mobile number has 11 digits and starts with 13–19.")
    return digits


def _strip_country_code(digits: str) -> str:
    """Remove a leading China country code, if present."""
    for prefix in _COUNTRY_PREFIXES:
        if digits.startswith(prefix):
            return digits[len(prefix) :]
    # A bare "86" is only a country code when 11 digits follow: no mobile starts with 8.
    if digits.startswith("86") and len(digits) == 13:
        return digits[2:]
    return digits


# --- Any telephone number: landlines, service and international numbers -----------------------

# Yiwu's area code: a bare 7- or 8-digit local number is a landline in this region.
DEFAULT_AREA_CODE = "0579"
_LOCAL_NUMBER = re.compile(r"[2-9][0-9]{6,7}")


class InvalidPhone(ValueError):
    """A value that is no dialable telephone number; ``code`` is always ``"format"``."""

    def __init__(self, code: MobileErrorCode, message: str) -> None:
        super().__init__(message)
        self.code: MobileErrorCode = code
        self.message = message


def validate_phone(value: str, *, default_area_code: str = DEFAULT_AREA_CODE) -> str:
    """Validate any telephone number a caller or a worker may have, and normalise it.

    A mainland mobile keeps its 11-digit form (the form stored and blind-indexed since the
    start, and the one SMS gateways take). Every other number is normalised to E.164 with
    libphonenumber: landlines with their area code (``0579-85512345`` → ``+8657985512345``),
    a bare local number in ``default_area_code`` (``85512345`` → ``+8657985512345``), service
    numbers (``400``/``800``) and international numbers (``+971501234567``). Short codes such as
    ``110`` or ``95555`` are no caller's number and are refused.
    """
    if not isinstance(value, str):
        raise InvalidPhone("format", "A phone number must be text.")
    try:
        return validate_mobile(value)
    except InvalidMobile:
        pass
    text = _SEPARATORS.sub("", unicodedata.normalize("NFKC", value))
    if text.startswith("00"):
        text = "+" + text[2:]
    if _LOCAL_NUMBER.fullmatch(text):
        text = default_area_code + text
    try:
        number = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhone("format", "Not a telephone number.") from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhone("format", "Not a valid telephone number.")
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if e164.startswith("+861") and _MOBILE.fullmatch(e164[3:]):
        return e164[3:]
    return e164
