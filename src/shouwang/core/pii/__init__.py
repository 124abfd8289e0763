"""Personal-data primitives: validate, encrypt, index and mask ID and phone numbers.

Pure Python with no Django imports; the model fields, forms and settings wiring live in the
Django layer. ID numbers are sensitive personal information (GB/T 35273-2020 annex B), and
PIPL art. 51 asks for encryption and de-identification; this package supplies those blocks.
"""

from .crypto import DecryptionError, KeyConfigError, KeyRing, generate_key
from .idnumber import (
    InvalidIdNumber,
    id_number_birth_date,
    id_number_sex,
    make_id_number,
    normalise_id_number,
    validate_id_number,
)
from .masking import mask_generic, mask_id_number, mask_mobile, mask_name
from .phone import InvalidMobile, validate_mobile

__all__ = [
    "DecryptionError",
    "InvalidIdNumber",
    "InvalidMobile",
    "KeyConfigError",
    "KeyRing",
    "generate_key",
    "id_number_birth_date",
    "id_number_sex",
    "make_id_number",
    "mask_generic",
    "mask_id_number",
    "mask_mobile",
    "mask_name",
    "normalise_id_number",
    "validate_id_number",
    "validate_mobile",
]
