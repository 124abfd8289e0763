"""Chinese resident identity numbers (公民身份号码), GB 11643-1999.

An 18-character number is laid out as (GB 11643-1999 §4):

    RRRRRR YYYYMMDD SSS C
    region birth    seq check

* ``RRRRRR`` — the GB/T 2260 administrative-division code of the county where the holder was
  first registered;
* ``YYYYMMDD`` — date of birth;
* ``SSS`` — order code for people born on the same day in the same county; odd for men, even
  for women (§5.3);
* ``C`` — check character, ISO 7064:1983 MOD 11-2 over the first 17 digits (§5.4), ``X``
  standing for 10.

ID numbers are sensitive personal information (GB/T 35273-2020 annex B; PIPL art. 28):
callers validate here, then encrypt and mask (see ``crypto`` and ``masking``); this module
never logs or stores a value, and no error message repeats it.
"""

import re
import unicodedata
from datetime import date
from typing import Literal

from django.utils.timezone import localdate

IdNumberErrorCode = Literal["format", "region", "birth_date", "check_digit"]

# GB 11643-1999 §5.4: weights W_i = 2^(i-1) mod 11 for positions 18..2, and the character
# whose value makes the weighted sum ≡ 1 (mod 11).
_CHECK_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"

# GB/T 2260 province-level codes. 71 (Taiwan), 81 (Hong Kong) and 82 (Macao) are in the
# standard; 83 is what the 2018 residence permits for Taiwan residents use (港澳台居民居住证,
# numbers in GB 11643 format, prefix 830000). No real number has any other first two digits.
PROVINCE_CODES = frozenset(
    {"11", "12", "13", "14", "15", "21", "22", "23"}
    | {"31", "32", "33", "34", "35", "36", "37"}
    | {"41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54"}
    | {"61", "62", "63", "64", "65", "71", "81", "82", "83"}
)
# Only these issue numbers under a bare province-level prefix (810000, 820000, 830000, and
# 710000 for Taiwan-born people registered that way); everyone else has a county code.
_PROVINCE_LEVEL_PREFIX_OK = frozenset({"71", "81", "82", "83"})

_SHAPE = re.compile(r"[0-9]{17}[0-9X]")
_EARLIEST_BIRTH_YEAR = 1900
# Birth dates are civil dates in China; "today" is China's (UTC+8 all year, no DST).


class InvalidIdNumber(ValueError):
    """A value that is not a valid 18-character resident identity number.

    ``code`` says which rule failed (one of ``"format"``, ``"region"``, ``"birth_date"``,
    ``"check_digit"``) so the caller can translate; ``message`` is an English explanation that
    never repeats the number itself.
    """

    def __init__(self, code: IdNumberErrorCode, message: str) -> None:
        super().__init__(message)
        self.code: IdNumberErrorCode = code
        self.message = message


def normalise_id_number(value: str) -> str:
    """Return ``value`` with all whitespace removed, full-width forms folded, ``x`` → ``X``.

    No validation: the result may still be malformed.
    """
    # NFKC folds the full-width digits and "Ｘ" that Chinese input methods often produce.
    folded = unicodedata.normalize("NFKC", value)
    return "".join(folded.split()).upper()


def check_digit(first17: str) -> str:
    """Return the GB 11643 check character for 17 ASCII digits.

    Raises ``InvalidIdNumber(code="format")`` if ``first17`` is not exactly 17 digits.
    """
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise InvalidIdNumber("format", "The first 17 characters must be digits.")
    total = sum(int(digit) * weight for digit, weight in zip(first17, _CHECK_WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def validate_id_number(value: str, *, today: date | None = None) -> str:
    """Validate a resident identity number and return its normalised 18-character form.

    Accepts surrounding or embedded spaces, full-width characters and a lowercase ``x``.
    ``today`` (default: today's date in China) bounds the birth date. Raises
    ``InvalidIdNumber`` on the first rule broken, checked in the order format, region,
    birth date, check digit.
    """
    if not isinstance(value, str):
        raise InvalidIdNumber("format", "An ID number must be text.")
    number = normalise_id_number(value)
    if not _SHAPE.fullmatch(number):
        raise InvalidIdNumber(
            "format", "An ID number has 18 characters: 17 digits, then a digit or X."
        )
    _check_region(number[:6])
    _parse_birth_date(number[6:14], today=today or _today_in_china())
    if check_digit(number[:17]) != number[17]:
        raise InvalidIdNumber("check_digit", "The check digit does not match; check for a typo.")
    return number


def id_number_birth_date(value: str) -> date:
    """Return the date of birth encoded in a valid ID number (raises ``InvalidIdNumber``)."""
    number = validate_id_number(value)
    return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def id_number_sex(value: str) -> Literal["male", "female"]:
    """Return ``"male"`` or ``"female"`` from a valid ID number (raises ``InvalidIdNumber``).

    GB 11643-1999 §5.3: the order code (17th character) is odd for men, even for women.
    """
    number = validate_id_number(value)
    return "male" if int(number[16]) % 2 == 1 else "female"


def make_id_number(region6: str, birth: date, sequence: int) -> str:
    """Build an 18-character ID number with a correct check digit.

    For demo data and tests. ``region6`` must be 6 digits and ``sequence`` 0–999 (odd for a
    man); the region is not checked against GB/T 2260, so invalid numbers can be built on
    purpose. Raises ``ValueError`` on arguments that cannot form a number.
    """
    if len(region6) != 6 or not region6.isascii() or not region6.isdigit():
        raise ValueError("region6 must be 6 digits.")
    if not 0 <= sequence <= 999:
        raise ValueError("sequence must be between 0 and 999.")
    if birth.year < 1000:
        raise ValueError("birth year must have 4 digits.")
    first17 = f"{region6}{birth:%Y%m%d}{sequence:03d}"
    return first17 + check_digit(first17)


def _check_region(prefix: str) -> None:
    """Refuse a prefix whose province is not in GB/T 2260 or that names no county."""
    province = prefix[:2]
    if province not in PROVINCE_CODES:
        raise InvalidIdNumber("region", "The first two digits are not a province code.")
    # GB 11643-1999 §5.1: the address code is a county-level code. A mainland prefix like
    # "330000" names a whole province, so it cannot appear on a real card.
    if prefix[2:] == "0000" and province not in _PROVINCE_LEVEL_PREFIX_OK:
        raise InvalidIdNumber("region", "The first six digits do not name a county.")


def _parse_birth_date(yyyymmdd: str, *, today: date) -> date:
    """Return the birth date, refusing impossible dates, future dates and years before 1900."""
    try:
        born = date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:]))
    except ValueError:
        raise InvalidIdNumber("birth_date", "The birth date is not a real date.") from None
    if born.year < _EARLIEST_BIRTH_YEAR:
        raise InvalidIdNumber("birth_date", "The birth year is before 1900.")
    if born > today:
        raise InvalidIdNumber("birth_date", "The birth date is in the future.")
    return born


def _today_in_china() -> date:
    return localdate()  # in settings.TIME_ZONE
