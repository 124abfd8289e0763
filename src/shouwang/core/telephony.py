"""Click-to-call through operator privacy numbers (隐私号). The provider is a plug-in like the
SMS gateway: the dotted path in the setting `SHOUWANG_PRIVACY_NUMBER_BACKEND` names a class
implementing `PrivacyNumberGateway`. The default binds nothing and records the call (numbers
masked) in the log, returning the callee's own number: a direct call, for installs without an
operator contract. Callers of `call_link` have already revealed the number through the audited
`pii_reveal`."""

import logging
from functools import lru_cache
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from shouwang.core.models import User
from shouwang.core.pii.masking import mask_phone
from shouwang.core.services.pii import keyring

logger = logging.getLogger(__name__)
DEFAULT_BACKEND = "shouwang.core.telephony.RecordingPrivacyNumbers"


class PrivacyNumberGateway(Protocol):
    def bind(self, *, caller: str, callee: str, idempotency_key: str) -> str:
        """Binds a privacy number connecting `caller` to `callee` (E.164 or 11-digit mobiles)
        and returns the number the caller dials."""
        ...


class RecordingPrivacyNumbers:
    def bind(self, *, caller: str, callee: str, idempotency_key: str) -> str:
        logger.info(
            "call recorded (no privacy-number provider) caller=%s callee=%s key=%s",
            mask_phone(caller),
            mask_phone(callee),
            idempotency_key,
        )
        return callee


@lru_cache(maxsize=4)
def _gateway(path: str) -> PrivacyNumberGateway:
    gateway: PrivacyNumberGateway = import_string(path)()
    return gateway


def privacy_number_gateway() -> PrivacyNumberGateway:
    return _gateway(settings.SHOUWANG_PRIVACY_NUMBER_BACKEND or DEFAULT_BACKEND)


def call_link(*, caller: User, callee: str, idempotency_key: str) -> str:
    """The `tel:` link the caller's screen opens: through the privacy-number gateway. The
    caller's own number is read for the binding only (their own data, not a reveal)."""
    aad = f"{User._meta.label}.phone".encode()
    own = keyring().decrypt(caller.phone_cipher, aad=aad) if caller.phone_cipher else ""
    number = privacy_number_gateway().bind(
        caller=own, callee=callee, idempotency_key=idempotency_key
    )
    return f"tel:{number}"
