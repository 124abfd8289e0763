"""Device secrets and platform tokens at rest: encrypted with the PII key ring (AES-GCM, key id
kept for rotation). They are kept reversibly, not hashed, because checking an HMAC or OneNET's
MD5 signature needs the secret itself. The AAD binds each ciphertext to its column."""

from shouwang.core.services.pii import keyring

DEVICE_SECRET_AAD = b"devices.Device.secret"
ONENET_TOKEN_AAD = b"devices.PushSubscription.token"


def seal(value: str, *, aad: bytes) -> str:
    return keyring().encrypt(value, aad=aad) if value else ""


def unseal(cipher: str, *, aad: bytes) -> str:
    return keyring().decrypt(cipher, aad=aad) if cipher else ""
