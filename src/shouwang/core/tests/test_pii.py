"""Personal-data primitives: ID and mobile validation, masks, field encryption, blind indexes.

Pure Python: no Django, no database.
"""

import base64
import hashlib
import hmac
import re
from datetime import date

import pytest

from shouwang.core.pii import (
    DecryptionError,
    InvalidIdNumber,
    InvalidMobile,
    KeyConfigError,
    KeyRing,
    generate_key,
    id_number_birth_date,
    id_number_sex,
    make_id_number,
    mask_generic,
    mask_id_number,
    mask_mobile,
    mask_name,
    validate_id_number,
    validate_mobile,
)
from shouwang.core.pii.idnumber import PROVINCE_CODES

HANGZHOU_SHANGCHENG = "330102"
YIWU = "330782"
TODAY = date(2025, 6, 1)


# --- ID numbers (GB 11643-1999) -------------------------------------------------------------


@pytest.mark.parametrize(
    ("region", "birth", "sequence"),
    [
        (HANGZHOU_SHANGCHENG, date(1990, 1, 1), 123),
        (YIWU, date(2001, 12, 31), 8),
        ("110101", date(1900, 1, 1), 999),
        ("650102", date(2000, 2, 29), 0),
        ("440305", date(1975, 6, 15), 471),
    ],
)
def test_id_number_built_with_make_id_number_is_accepted(
    region: str, birth: date, sequence: int
) -> None:
    number = make_id_number(region, birth, sequence)

    assert validate_id_number(number) == number
    assert len(number) == 18


def test_id_number_from_the_domain_example_is_valid() -> None:
    assert validate_id_number("330102199001011234") == "330102199001011234"


def test_id_number_with_wrong_check_digit_is_refused() -> None:
    number = make_id_number(YIWU, date(1988, 8, 8), 17)
    wrong = "0" if number[-1] != "0" else "1"

    with pytest.raises(InvalidIdNumber) as caught:
        validate_id_number(number[:-1] + wrong)

    assert caught.value.code == "check_digit"


def test_id_number_with_a_swapped_pair_of_digits_is_refused() -> None:
    number = make_id_number(YIWU, date(1988, 8, 8), 172)
    swapped = number[:14] + number[15] + number[14] + number[16:]

    with pytest.raises(InvalidIdNumber) as caught:
        validate_id_number(swapped)

    assert caught.value.code == "check_digit"


def test_id_number_with_lowercase_x_check_digit_is_normalised_to_uppercase() -> None:
    number = make_id_number("110101", date(1985, 7, 14), 4)
    assert number == "11010119850714004X"

    assert validate_id_number("11010119850714004x") == number


def test_id_number_with_spaces_and_full_width_characters_is_normalised() -> None:
    typed = " 110101 19850714 ００４ｘ "

    assert validate_id_number(typed) == "11010119850714004X"


def test_id_number_born_on_february_30_is_refused() -> None:
    first17 = f"{YIWU}19900230123"
    number = make_id_number(YIWU, date(1990, 3, 1), 123)
    impossible = first17 + number[-1]

    with pytest.raises(InvalidIdNumber) as caught:
        validate_id_number(impossible)

    assert caught.value.code == "birth_date"


def test_id_number_born_on_february_29_of_a_non_leap_year_is_refused() -> None:
    with pytest.raises(InvalidIdNumber) as caught:
        validate_id_number(f"{YIWU}19000229123" + "0")

    assert caught.value.code == "birth_date"


def test_id_number_born_after_today_is_refused() -> None:
    number = make_id_number(YIWU, date(2025, 6, 2), 11)

    with pytest.raises(InvalidIdNumber) as caught:
        validate_id_number(number, today=TODAY)

    assert caught.value.code == "birth_date"


def test_id_number_born_today_is_accepted() -> None:
    number = make_id_number(YIWU, TODAY, 11)

    assert validate_id_number(number, today=TODAY) == number


def test_id_number_born_in_a_far_future_year_is_refused_against_the_real_clock() -> None:
    with pytest.raises(InvalidIdNumber) as caught:
        validate_id_number(make_id_number(YIWU, date(2999, 1, 1), 11))

    assert caught.value.code == "birth_date"


def test_id_number_born_before_1900_is_refused() -> None:
    with pytest.raises(InvalidIdNumber) as caught:
        validate_id_number(make_id_number(YIWU, date(1899, 12, 31), 11))

    assert caught.value.code == "birth_date"


@pytest.mark.parametrize("region", ["990000", "000000", "100101", "240101", "720000", "910000"])
def test_id_number_with_a_region_outside_gb_t_2260_provinces_is_refused(region: str) -> None:
    with pytest.raises(InvalidIdNumber) as caught:
        validate_id_number(make_id_number(region, date(1990, 1, 1), 123))

    assert caught.value.code == "region"


def test_id_number_with_a_bare_mainland_province_prefix_is_refused() -> None:
    with pytest.raises(InvalidIdNumber) as caught:
        validate_id_number(make_id_number("330000", date(1990, 1, 1), 123))

    assert caught.value.code == "region"


@pytest.mark.parametrize("region", ["810000", "820000", "830000"])
def test_residence_permit_numbers_of_hong_kong_macao_and_taiwan_residents_are_accepted(
    region: str,
) -> None:
    number = make_id_number(region, date(1990, 1, 1), 123)

    assert validate_id_number(number) == number


def test_every_province_code_is_accepted_with_a_county_prefix() -> None:
    for province in sorted(PROVINCE_CODES):
        number = make_id_number(f"{province}0102", date(1990, 1, 1), 123)
        assert validate_id_number(number) == number


@pytest.mark.parametrize(
    "value",
    [
        "",
        "33010219900101123",  # 17 characters
        "3301021990010112344",  # 19 characters
        "33010219900101123A",  # letter other than X
        "3301021990X1011234",  # X not at the end
        "330102-19900101-1234",  # hyphens are not accepted
    ],
)
def test_id_number_of_the_wrong_shape_is_refused_as_format(value: str) -> None:
    with pytest.raises(InvalidIdNumber) as caught:
        validate_id_number(value)

    assert caught.value.code == "format"


def test_invalid_id_number_is_a_value_error_whose_message_never_repeats_the_number() -> None:
    number = make_id_number(YIWU, date(1988, 8, 8), 17)[:-1] + "Z"

    with pytest.raises(ValueError, match=r"\w") as caught:
        validate_id_number(number)

    assert number not in str(caught.value)
    assert YIWU not in str(caught.value)


def test_sex_is_male_for_an_odd_order_code_and_female_for_an_even_one() -> None:
    assert id_number_sex(make_id_number(YIWU, date(1990, 1, 1), 123)) == "male"
    assert id_number_sex(make_id_number(YIWU, date(1990, 1, 1), 124)) == "female"


def test_birth_date_is_read_from_the_id_number() -> None:
    number = make_id_number(YIWU, date(1976, 10, 6), 1)

    assert id_number_birth_date(number) == date(1976, 10, 6)


def test_sex_and_birth_date_of_an_invalid_number_are_refused() -> None:
    with pytest.raises(InvalidIdNumber):
        id_number_sex("330102199001011230")
    with pytest.raises(InvalidIdNumber):
        id_number_birth_date("330102199001011230")


@pytest.mark.parametrize(
    ("region", "sequence"), [("33010", 1), ("3301020", 1), ("33O102", 1), (YIWU, 1000), (YIWU, -1)]
)
def test_make_id_number_refuses_arguments_that_cannot_form_a_number(
    region: str, sequence: int
) -> None:
    with pytest.raises(ValueError, match="must"):
        make_id_number(region, date(1990, 1, 1), sequence)


# --- Mobile numbers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "13812345678",
        "138 1234 5678",
        "138-1234-5678",
        " 13812345678 ",
        "+86 138 1234 5678",
        "+8613812345678",
        "+86-138-1234-5678",
        "8613812345678",
        "86 138 1234 5678",
        "0086 13812345678",
        "(+86) 138 1234 5678",
        "１３８１２３４５６７８",  # full-width digits from a Chinese IME
    ],
)
def test_mobile_in_common_written_forms_is_normalised_to_11_digits(typed: str) -> None:
    assert validate_mobile(typed) == "13812345678"


@pytest.mark.parametrize("second_digit", "3456789")
def test_mobile_starting_with_13_to_19_is_accepted(second_digit: str) -> None:
    number = f"1{second_digit}012345678"

    assert validate_mobile(number) == number


@pytest.mark.parametrize(
    "value",
    [
        "",
        "12812345678",  # 12x is not a subscriber range
        "10086123456",
        "23812345678",
        "1381234567",  # 10 digits
        "138123456789",  # 12 digits
        "1381234567a",
        "+1 415 555 2671",
        "+852 9123 4567",
        "0571-87654321",  # a landline
        "86138123456",  # "86" only counts as a prefix with 11 digits after it
    ],
)
def test_value_that_is_not_a_mainland_mobile_is_refused(value: str) -> None:
    with pytest.raises(InvalidMobile) as caught:
        validate_mobile(value)

    assert caught.value.code == "format"
    assert isinstance(caught.value, ValueError)


# --- Masks ------------------------------------------------------------------------------------


def test_mobile_is_masked_keeping_first_3_and_last_4_digits() -> None:
    assert mask_mobile("13812345678") == "138****5678"


def test_mobile_with_country_code_is_masked_in_its_11_digit_form() -> None:
    assert mask_mobile("+86 138-1234-5678") == "138****5678"


def test_id_number_is_masked_keeping_first_4_and_last_4_characters() -> None:
    assert mask_id_number("330102199001011234") == "3301**********1234"


def test_id_number_with_a_bad_check_digit_is_still_masked_the_usual_way() -> None:
    assert mask_id_number("33010219900101123x") == "3301**********123X"


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张三丰", "张*丰"),
        ("张三", "张*"),
        ("欧阳娜娜", "欧**娜"),
        ("张", "*"),
        ("", ""),
        (" 李四 ", "李*"),
    ],
)
def test_name_keeps_its_first_and_for_three_or_more_characters_its_last(
    name: str, masked: str
) -> None:
    assert mask_name(name) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        (None, ""),
        ("", ""),
        ("12345", "*****"),
        ("not a phone", "no*******ne"),
        ("0571-87654321", "057*******321"),
        ("abcdefghijklmnopqrstuvwxyz", "abc*******************wxyz"),
    ],
)
def test_malformed_values_are_masked_by_the_generic_rule(value: str | None, masked: str) -> None:
    assert mask_mobile(value) == masked
    assert mask_id_number(value) == masked
    assert mask_generic(value) == masked


def test_generic_mask_keeps_length_and_never_shows_more_than_half_or_3_plus_4() -> None:
    for length in range(40):
        value = "9" * length
        masked = mask_generic(value)
        shown = length - masked.count("*")
        assert len(masked) == length
        assert shown <= length // 2
        assert shown <= 7


# --- Encryption -------------------------------------------------------------------------------

PHONE_AAD = b"core.Person.phone"


def make_ring(*key_ids: str, active: str | None = None, hash_key: str | None = None) -> KeyRing:
    """A key ring with a fresh key for each id; the last id is active unless named."""
    spec = ",".join(f"{key_id}:{generate_key()}" for key_id in key_ids)
    return KeyRing.from_config(spec, active or key_ids[-1], hash_key or generate_key())


def key_bytes(fill: int) -> bytes:
    return bytes([fill]) * 32


def test_encrypted_value_decrypts_to_the_original() -> None:
    ring = make_ring("k2025")

    for plaintext in ["13812345678", "330102199001011234", "张三丰", ""]:
        assert ring.decrypt(ring.encrypt(plaintext, aad=PHONE_AAD), aad=PHONE_AAD) == plaintext


def test_token_names_format_version_and_active_key_and_hides_the_plaintext() -> None:
    ring = make_ring("k2025")

    token = ring.encrypt("13812345678")

    assert re.fullmatch(r"v1\.k2025\.[A-Za-z0-9_-]+", token)
    assert "13812345678" not in token
    assert ring.key_id_of(token) == "k2025"


def test_encrypting_one_value_twice_gives_different_tokens() -> None:
    ring = make_ring("k2025")

    assert ring.encrypt("13812345678") != ring.encrypt("13812345678")


# An 11-character plaintext makes a 39-byte payload, 52 base64 characters with no spare bits,
# so changing any character changes the bytes: nonce (0, 5), ciphertext (16) and tag (30, -1).
@pytest.mark.parametrize("position", [0, 5, 16, 30, -1])
def test_tampered_token_fails_to_decrypt(position: int) -> None:
    ring = make_ring("k2025")
    token = ring.encrypt("13812345678")
    prefix, payload = token.rsplit(".", 1)
    index = position % len(payload)
    flipped = "A" if payload[index] != "A" else "B"
    tampered = payload[:index] + flipped + payload[index + 1 :]

    with pytest.raises(DecryptionError):
        ring.decrypt(f"{prefix}.{tampered}")


def test_token_decrypted_with_a_different_aad_fails() -> None:
    ring = make_ring("k2025")
    token = ring.encrypt("13812345678", aad=PHONE_AAD)

    with pytest.raises(DecryptionError):
        ring.decrypt(token, aad=b"core.Person.id_number")
    with pytest.raises(DecryptionError):
        ring.decrypt(token)


def test_token_with_its_key_id_edited_fails_even_when_both_ids_share_a_key() -> None:
    ring = KeyRing({"a": key_bytes(1), "b": key_bytes(1)}, "a", key_bytes(9))
    token = ring.encrypt("13812345678")

    with pytest.raises(DecryptionError):
        ring.decrypt(token.replace("v1.a.", "v1.b.", 1))


def test_token_under_a_key_id_that_is_not_configured_fails() -> None:
    token = make_ring("k2024").encrypt("13812345678")

    with pytest.raises(DecryptionError, match="k2024"):
        make_ring("k2025").decrypt(token)


def test_token_under_a_same_named_but_different_key_fails() -> None:
    token = make_ring("k2025").encrypt("13812345678")

    with pytest.raises(DecryptionError):
        make_ring("k2025").decrypt(token)


@pytest.mark.parametrize(
    "token",
    [
        "",
        "13812345678",
        "v1",
        "v1.k2025",
        "v2.k2025.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "v1..AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "v1.k 2025.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "v1.k2025.AAAA",  # shorter than nonce + tag
        "v1.k2025.!!!!AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "v1.k2025.AAAAA",  # impossible base64 length
        "v1.k2025.AAAA.AAAA",
    ],
)
def test_malformed_token_is_refused_without_decrypting(token: str) -> None:
    ring = make_ring("k2025")

    with pytest.raises(DecryptionError):
        ring.decrypt(token)


def test_decryption_error_is_not_a_value_error() -> None:
    assert not issubclass(DecryptionError, ValueError)


# --- Key rotation -----------------------------------------------------------------------------


def test_token_under_the_old_key_still_decrypts_after_a_new_active_key_is_added() -> None:
    old_key, new_key, hash_key = generate_key(), generate_key(), generate_key()
    before = KeyRing.from_config(f"k2025:{old_key}", "k2025", hash_key)
    token = before.encrypt("13812345678", aad=PHONE_AAD)

    after = KeyRing.from_config(f"k2025:{old_key},k2026:{new_key}", "k2026", hash_key)

    assert after.decrypt(token, aad=PHONE_AAD) == "13812345678"
    assert after.key_id_of(after.encrypt("13812345678")) == "k2026"


def test_token_under_the_old_key_needs_rotation_and_reencrypt_moves_it_to_the_active_key() -> None:
    keys = {"k2025": key_bytes(1), "k2026": key_bytes(2)}
    token = KeyRing(keys, "k2025", key_bytes(9)).encrypt("13812345678", aad=PHONE_AAD)
    ring = KeyRing(keys, "k2026", key_bytes(9))

    assert ring.needs_rotation(token) is True
    new_token = ring.reencrypt(token, aad=PHONE_AAD)

    assert ring.key_id_of(new_token) == "k2026"
    assert ring.needs_rotation(new_token) is False
    assert ring.decrypt(new_token, aad=PHONE_AAD) == "13812345678"


def test_token_under_the_active_key_does_not_need_rotation() -> None:
    ring = make_ring("k2025", "k2026")

    assert ring.needs_rotation(ring.encrypt("13812345678")) is False


def test_reencrypted_token_stays_bound_to_its_aad() -> None:
    keys = {"k2025": key_bytes(1), "k2026": key_bytes(2)}
    token = KeyRing(keys, "k2025", key_bytes(9)).encrypt("13812345678", aad=PHONE_AAD)
    ring = KeyRing(keys, "k2026", key_bytes(9))

    new_token = ring.reencrypt(token, aad=PHONE_AAD)

    with pytest.raises(DecryptionError):
        ring.decrypt(new_token)
    with pytest.raises(DecryptionError):
        ring.reencrypt(token, aad=b"core.Person.id_number")


def test_token_under_a_key_removed_from_the_ring_no_longer_decrypts() -> None:
    token = KeyRing({"k2025": key_bytes(1)}, "k2025", key_bytes(9)).encrypt("13812345678")
    ring = KeyRing({"k2026": key_bytes(2)}, "k2026", key_bytes(9))

    with pytest.raises(DecryptionError, match="k2025"):
        ring.decrypt(token)
    with pytest.raises(DecryptionError):
        ring.reencrypt(token)


def test_needs_rotation_of_a_malformed_token_is_an_error_not_an_answer() -> None:
    with pytest.raises(DecryptionError):
        make_ring("k2025").needs_rotation("13812345678")


# --- Key configuration ------------------------------------------------------------------------


def test_key_config_with_spaces_padding_and_a_trailing_comma_is_parsed() -> None:
    padded = base64.urlsafe_b64encode(key_bytes(1)).decode()
    unpadded = padded.rstrip("=")
    assert padded != unpadded

    ring = KeyRing.from_config(
        f" k2025:{padded} , k-2026_b : {unpadded},", " k-2026_b ", generate_key()
    )

    assert ring.key_ids == ("k-2026_b", "k2025")
    assert ring.active_key_id == "k-2026_b"


@pytest.mark.parametrize(
    ("keys_spec", "active", "hash_key", "message"),
    [
        ("", "k1", "<HASH>", "No encryption keys"),
        (" , ", "k1", "<HASH>", "No encryption keys"),
        ("k1", "k1", "<HASH>", "entry 1 is not of the form"),
        ("k1:<KEY>,<KEY>", "k1", "<HASH>", "entry 2 is not of the form"),
        ("k.1:<KEY>", "k.1", "<HASH>", "entry 1: a key id is 1 to 32"),
        (":<KEY>", "k1", "<HASH>", "entry 1: a key id is 1 to 32"),
        ("k" * 33 + ":<KEY>", "k1", "<HASH>", "entry 1: a key id is 1 to 32"),
        ("k1:<KEY>,k1:<KEY>", "k1", "<HASH>", "'k1' is configured twice"),
        ("k1:not base64!", "k1", "<HASH>", "'k1' is not valid urlsafe base64"),
        ("k1:a+b/<KEY>", "k1", "<HASH>", "'k1' is not valid urlsafe base64"),
        ("k1:<SHORT>", "k1", "<HASH>", "'k1' is 16 bytes; AES-256 needs exactly 32"),
        ("k1:", "k1", "<HASH>", "'k1' is 0 bytes"),
        ("k1:<KEY>", "k2", "<HASH>", r"active key id 'k2' is not among the configured keys \(k1\)"),
        ("k1:<KEY>", "<KEY>", "<HASH>", "active key id is invalid: a key id is 1 to 32"),
        ("k1:<KEY>", "k1", "<SHORT>", "hash key is 16 bytes; it needs at least 32"),
        ("k1:<KEY>", "k1", "", "hash key is 0 bytes"),
        ("k1:<KEY>", "k1", "not base64!", "hash key is not valid urlsafe base64"),
        ("k1:<KEY>", "k1", "<KEY>", "hash key must differ from every encryption key"),
    ],
)
def test_malformed_key_config_is_refused_with_a_clear_message(
    keys_spec: str, active: str, hash_key: str, message: str
) -> None:
    key, other_key = generate_key(), generate_key()
    short = base64.urlsafe_b64encode(bytes(16)).decode()
    placeholders = {"<KEY>": key, "<HASH>": other_key, "<SHORT>": short}
    spec, hash_spec = keys_spec, hash_key
    for placeholder, text in placeholders.items():
        spec, hash_spec = spec.replace(placeholder, text), hash_spec.replace(placeholder, text)

    with pytest.raises(KeyConfigError, match=message) as caught:
        KeyRing.from_config(spec, active.replace("<KEY>", key), hash_spec)

    assert key not in str(caught.value)
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize(
    ("keys", "active", "hash_key", "message"),
    [
        ({"k1": key_bytes(1)[:31]}, "k1", key_bytes(9), "31 bytes"),
        ({"k/1": key_bytes(1)}, "k/1", key_bytes(9), "key id is 1 to 32"),
        ({}, "k1", key_bytes(9), r"configured keys \(none\)"),
        ({"k1": key_bytes(1)}, "k1", key_bytes(9)[:31], "hash key is 31 bytes"),
    ],
)
def test_key_ring_built_from_bytes_checks_the_same_rules(
    keys: dict[str, bytes], active: str, hash_key: bytes, message: str
) -> None:
    with pytest.raises(KeyConfigError, match=message):
        KeyRing(keys, active, hash_key)


def test_key_ring_repr_names_key_ids_but_never_key_material() -> None:
    key = generate_key()
    ring = KeyRing.from_config(f"k2025:{key}", "k2025", generate_key())

    assert repr(ring) == "KeyRing(key_ids=['k2025'], active_key_id='k2025')"


def test_generated_key_is_43_urlsafe_characters_for_32_random_bytes() -> None:
    key = generate_key()

    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", key)
    assert len(base64.urlsafe_b64decode(key + "=")) == 32
    assert generate_key() != key


# --- Blind indexes ----------------------------------------------------------------------------


def test_blind_index_is_deterministic_64_hex_digits() -> None:
    ring = make_ring("k2025")

    index = ring.blind_index("13812345678", purpose="person.phone")

    assert re.fullmatch(r"[0-9a-f]{64}", index)
    assert ring.blind_index("13812345678", purpose="person.phone") == index
    assert ring.blind_index("13812345679", purpose="person.phone") != index


def test_blind_index_differs_by_purpose() -> None:
    ring = make_ring("k2025")

    assert ring.blind_index("13812345678", purpose="person.phone") != ring.blind_index(
        "13812345678", purpose="user.phone"
    )


def test_blind_index_differs_by_hash_key() -> None:
    first, second = make_ring("k2025"), make_ring("k2025")

    assert first.blind_index("13812345678", purpose="person.phone") != second.blind_index(
        "13812345678", purpose="person.phone"
    )


def test_blind_index_survives_rotation_of_the_encryption_keys() -> None:
    hash_key = generate_key()
    before, after = make_ring("k2025", hash_key=hash_key), make_ring("k2026", hash_key=hash_key)

    assert before.blind_index("13812345678", purpose="person.phone") == after.blind_index(
        "13812345678", purpose="person.phone"
    )


def test_blind_index_is_hmac_sha256_over_purpose_nul_value() -> None:
    ring = KeyRing({"k1": key_bytes(1)}, "k1", key_bytes(9))
    expected = hmac.new(key_bytes(9), b"person.phone\x0013812345678", hashlib.sha256).hexdigest()

    assert ring.blind_index("13812345678", purpose="person.phone") == expected


@pytest.mark.parametrize("purpose", ["", "person\x00phone"])
def test_blind_index_refuses_an_empty_or_ambiguous_purpose(purpose: str) -> None:
    with pytest.raises(ValueError, match="purpose"):
        make_ring("k2025").blind_index("13812345678", purpose=purpose)
