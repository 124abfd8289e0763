"""Field encryption (AES-256-GCM) with key rotation, and blind indexes for exact lookup.

ID and phone numbers are encrypted at rest (PIPL art. 51: encryption and de-identification
as security measures; GB/T 35273-2020 §6.3: sensitive personal information stored encrypted).
A ciphertext token is self-describing text, safe for a ``TEXT`` column::

    v1.<key_id>.<urlsafe-base64 without padding of nonce(12) + ciphertext + tag(16)>

The key id lets several keys live side by side: new writes use the active key, old tokens
still decrypt under the key they name until a rotation job calls ``reencrypt``. A column
that must be searched by exact value stores ``blind_index`` beside the ciphertext instead of
a plain hash, so a stolen table cannot be reversed by hashing all 10^10 phone numbers.

Nothing here logs, and no error message includes a key, a plaintext or a ciphertext.
"""

import base64
import hashlib
import hmac
import os
import re
from collections.abc import Mapping
from typing import NoReturn, Self

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEY_BYTES = 32  # AES-256
MIN_HASH_KEY_BYTES = 32  # HMAC-SHA256 key no shorter than its output (RFC 2104 §3)
_NONCE_BYTES = 12  # 96-bit nonce, the GCM default (NIST SP 800-38D §8.2)
_TAG_BYTES = 16
_FORMAT_VERSION = "v1"
_KEY_ID = re.compile(r"[A-Za-z0-9_-]{1,32}")
_KEY_ID_RULE = "a key id is 1 to 32 characters from A-Z, a-z, 0-9, '_' and '-'."
_B64URL = re.compile(r"[A-Za-z0-9_-]*={0,2}")


class KeyConfigError(ValueError):
    """The key configuration is unusable. The message names key ids, never key material."""


class DecryptionError(Exception):
    """A token could not be decrypted: malformed, unknown key id, wrong AAD or tampered.

    Not a ``ValueError`` on purpose: it signals corrupt data or a missing key, not bad user
    input, and must not be swallowed by form-validation ``except ValueError`` blocks.
    """


def generate_key() -> str:
    """Return a new random 32-byte key as urlsafe base64 without padding (43 characters).

    Suitable both as an encryption key in ``keys_spec`` and as the blind-index hash key.
    """
    return _b64url_encode(os.urandom(KEY_BYTES))


class KeyRing:
    """The encryption keys by id, which one encrypts new values, and the blind-index key.

    Invariants after construction: every key id matches ``[A-Za-z0-9_-]{1,32}``, every key
    is 32 bytes, the active id is one of them, and the hash key is at least 32 bytes and
    differs from every encryption key (one key, one purpose). Otherwise ``KeyConfigError``.
    """

    def __init__(self, keys: Mapping[str, bytes], active_key_id: str, hash_key: bytes) -> None:
        for key_id, key in keys.items():
            _check_encryption_key(key_id, key)
        if active_key_id not in keys:
            _refuse_active_key_id(active_key_id, keys)
        _check_hash_key(hash_key, keys)
        self._ciphers = {key_id: AESGCM(bytes(key)) for key_id, key in keys.items()}
        self._active_key_id = active_key_id
        self._hash_key = bytes(hash_key)

    @classmethod
    def from_config(cls, keys_spec: str, active_key_id: str, hash_key_spec: str) -> Self:
        """Build a key ring from environment-style strings.

        ``keys_spec`` is ``"k2025:BASE64URL,k2026:BASE64URL"`` (spaces and a trailing comma
        allowed; padding optional); ``hash_key_spec`` is one urlsafe-base64 key.
        Raises ``KeyConfigError`` with a message fit for an operator.
        """
        keys = _parse_keys_spec(keys_spec)
        try:
            hash_key = _b64url_decode(hash_key_spec.strip())
        except ValueError:
            raise KeyConfigError("The hash key is not valid urlsafe base64.") from None
        return cls(keys, active_key_id.strip(), hash_key)

    @property
    def active_key_id(self) -> str:
        """The id of the key that encrypts new values."""
        return self._active_key_id

    @property
    def key_ids(self) -> tuple[str, ...]:
        """All configured key ids, sorted."""
        return tuple(sorted(self._ciphers))

    def __repr__(self) -> str:
        # Never show key material, even in a traceback or a debugger.
        return f"KeyRing(key_ids={list(self.key_ids)!r}, active_key_id={self._active_key_id!r})"

    def encrypt(self, plaintext: str, *, aad: bytes = b"") -> str:
        """Encrypt ``plaintext`` under the active key with a fresh random nonce.

        ``aad`` binds the token to its context (e.g. ``b"core.Person.phone"``): ``decrypt``
        succeeds only with the same ``aad``. Two encryptions of one value differ.
        """
        key_id = self._active_key_id
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._ciphers[key_id].encrypt(
            nonce, plaintext.encode("utf-8"), _associated_data(key_id, aad)
        )
        return f"{_FORMAT_VERSION}.{key_id}.{_b64url_encode(nonce + sealed)}"

    def decrypt(self, token: str, *, aad: bytes = b"") -> str:
        """Return the plaintext of a token made by ``encrypt`` with the same ``aad``.

        Uses the key named in the token, active or not. Raises ``DecryptionError`` if the
        token is malformed, its key id is not configured, or authentication fails (tampered
        token, wrong ``aad``, wrong key); it never returns unauthenticated data.
        """
        key_id, payload = _parse_token(token)
        cipher = self._ciphers.get(key_id)
        if cipher is None:
            raise DecryptionError(f"No key with id {key_id!r} is configured.")
        nonce, sealed = payload[:_NONCE_BYTES], payload[_NONCE_BYTES:]
        try:
            plaintext = cipher.decrypt(nonce, sealed, _associated_data(key_id, aad))
            return plaintext.decode("utf-8")
        except (InvalidTag, UnicodeDecodeError):
            raise DecryptionError("The token failed authentication.") from None

    @staticmethod
    def key_id_of(token: str) -> str:
        """Return the key id a token names, without decrypting (``DecryptionError`` if
        the token is malformed)."""
        key_id, _payload = _parse_token(token)
        return key_id

    def needs_rotation(self, token: str) -> bool:
        """True when the token is not under the active key (``DecryptionError`` if
        malformed)."""
        return self.key_id_of(token) != self._active_key_id

    def reencrypt(self, token: str, *, aad: bytes = b"") -> str:
        """Decrypt ``token`` and encrypt it again under the active key with a fresh nonce.

        Always produces a new token, even if the key was already active, so it also proves
        the old one authentic. Raises ``DecryptionError`` like ``decrypt``.
        """
        return self.encrypt(self.decrypt(token, aad=aad), aad=aad)

    def blind_index(self, value: str, *, purpose: str) -> str:
        """Return HMAC-SHA256(hash key, purpose + NUL + value) as 64 lowercase hex digits.

        Deterministic, so equal values give equal indexes for exact lookup; ``purpose``
        (e.g. ``"person.id_number"``) keeps indexes of different columns unlinkable. Callers
        pass the normalised value (``validate_id_number``/``validate_mobile`` output).
        Raises ``ValueError`` if ``purpose`` is empty or contains NUL.
        """
        if not purpose or "\x00" in purpose:
            raise ValueError("purpose must be non-empty and must not contain NUL.")
        message = purpose.encode("utf-8") + b"\x00" + value.encode("utf-8")
        return hmac.new(self._hash_key, message, hashlib.sha256).hexdigest()


def _parse_keys_spec(spec: str) -> dict[str, bytes]:
    """Parse ``"id:base64url,id:base64url"``; entries are named by position, not content,
    so that a misplaced key never ends up in an error message or a log."""
    keys: dict[str, bytes] = {}
    for position, raw_entry in enumerate(spec.split(","), start=1):
        entry = raw_entry.strip()
        if not entry:
            continue  # tolerate "a:…,b:…," and blank env values split over lines
        key_id, separator, encoded = (part.strip() for part in entry.partition(":"))
        if not separator:
            raise KeyConfigError(f"Key entry {position} is not of the form <key_id>:<key>.")
        if not _KEY_ID.fullmatch(key_id):
            raise KeyConfigError(f"Key entry {position}: {_KEY_ID_RULE}")
        if key_id in keys:
            raise KeyConfigError(f"Key id {key_id!r} is configured twice.")
        try:
            keys[key_id] = _b64url_decode(encoded)
        except ValueError:
            raise KeyConfigError(f"Key {key_id!r} is not valid urlsafe base64.") from None
    if not keys:
        raise KeyConfigError("No encryption keys are configured.")
    return keys


def _check_encryption_key(key_id: str, key: bytes) -> None:
    if not isinstance(key_id, str) or not _KEY_ID.fullmatch(key_id):
        raise KeyConfigError(f"Invalid key id: {_KEY_ID_RULE}")
    if not isinstance(key, bytes):
        raise KeyConfigError(f"Key {key_id!r} must be bytes.")
    if len(key) != KEY_BYTES:
        raise KeyConfigError(f"Key {key_id!r} is {len(key)} bytes; AES-256 needs exactly 32.")


def _refuse_active_key_id(active_key_id: str, keys: Mapping[str, bytes]) -> NoReturn:
    # Echo the id only if it looks like one: a key pasted into the wrong variable is 43
    # characters, longer than any id, and must not reach a log through this message.
    if not isinstance(active_key_id, str) or not _KEY_ID.fullmatch(active_key_id):
        raise KeyConfigError(f"The active key id is invalid: {_KEY_ID_RULE}")
    configured = ", ".join(sorted(keys)) or "none"
    raise KeyConfigError(
        f"The active key id {active_key_id!r} is not among the configured keys ({configured})."
    )


def _check_hash_key(hash_key: bytes, keys: Mapping[str, bytes]) -> None:
    if not isinstance(hash_key, bytes):
        raise KeyConfigError("The hash key must be bytes.")
    if len(hash_key) < MIN_HASH_KEY_BYTES:
        raise KeyConfigError(f"The hash key is {len(hash_key)} bytes; it needs at least 32.")
    # Key separation: a key used for both AES-GCM and HMAC would tie the two columns'
    # security together, and rotating one would silently break the other.
    if any(hmac.compare_digest(hash_key, key) for key in keys.values()):
        raise KeyConfigError("The hash key must differ from every encryption key.")


def _parse_token(token: str) -> tuple[str, bytes]:
    """Split a token into (key id, nonce + ciphertext + tag); ``DecryptionError`` if malformed."""
    parts = token.split(".") if isinstance(token, str) else []
    if len(parts) != 3 or parts[0] != _FORMAT_VERSION:
        raise DecryptionError(f"The token is not a {_FORMAT_VERSION} ciphertext.")
    key_id, encoded = parts[1], parts[2]
    if not _KEY_ID.fullmatch(key_id):
        raise DecryptionError("The token's key id is malformed.")
    try:
        payload = _b64url_decode(encoded)
    except ValueError:
        raise DecryptionError("The token's payload is not valid urlsafe base64.") from None
    if len(payload) < _NONCE_BYTES + _TAG_BYTES:
        raise DecryptionError("The token's payload is too short.")
    return key_id, payload


def _associated_data(key_id: str, aad: bytes) -> bytes:
    # The token header is authenticated too, so editing the version or key id of a token is
    # detected even when two ids are configured with the same key bytes. Key ids cannot hold
    # ".", so header and caller AAD cannot run into each other.
    return f"{_FORMAT_VERSION}.{key_id}.".encode("ascii") + bytes(aad)


def _b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_decode(text: str) -> bytes:
    """Decode urlsafe base64 with or without padding; ``ValueError`` on anything else
    (the stdlib decoder silently drops stray characters, so check the alphabet first)."""
    if not _B64URL.fullmatch(text):
        raise ValueError("not urlsafe base64")
    unpadded = text.rstrip("=")
    return base64.urlsafe_b64decode(unpadded + "=" * (-len(unpadded) % 4))
