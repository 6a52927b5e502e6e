"""WeChat request signatures and the safe-mode (AES) envelope.

The signature is SHA-1 over the sorted (token, timestamp, nonce[, encrypt]); we
compare it in constant time. AES encryption and decryption are wechatpy's
`WeChatCrypto`; this module only turns its many failure modes into two errors.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException


class BadSignature(Exception):
    """Signature, app id or timestamp does not check out (answer 403)."""


class BadEnvelope(ValueError):
    """The encrypted payload cannot be decrypted into text (answer 400)."""


def sign(*parts: str) -> str:
    """WeChat's signature over the given strings."""
    return hashlib.sha1("".join(sorted(parts)).encode("utf-8")).hexdigest()


def check_signature(expected_parts: tuple[str, ...], given: str) -> None:
    """Raise BadSignature unless `given` is the signature of `expected_parts`."""
    if not hmac.compare_digest(sign(*expected_parts).encode(), given.encode("utf-8", "replace")):
        raise BadSignature("signature mismatch")


class Envelope:
    """Safe-mode encryption for one account (token, EncodingAESKey, app id)."""

    def __init__(self, token: str, encoding_aes_key: str, app_id: str) -> None:
        self.token = token
        self.crypto = WeChatCrypto(token, encoding_aes_key, app_id)

    def open(self, encrypt: str, msg_signature: str, timestamp: str, nonce: str) -> bytes:
        """Check `msg_signature` and decrypt; returns the inner XML as UTF-8 bytes."""
        check_signature((self.token, timestamp, nonce, encrypt), msg_signature)
        try:
            text: Any = self.crypto.decrypt_message(
                {"Encrypt": encrypt}, msg_signature, timestamp, nonce
            )
        except InvalidAppIdException:
            raise BadSignature("message encrypted for another app id") from None
        except InvalidSignatureException:
            raise BadSignature("signature mismatch") from None
        except Exception as exc:  # base64, padding, length, UTF-8: all malformed input
            raise BadEnvelope(f"cannot decrypt: {type(exc).__name__}") from None
        return text.encode("utf-8") if isinstance(text, str) else bytes(text)

    def seal(self, xml: str, nonce: str, timestamp: str) -> str:
        """Encrypt a reply into the safe-mode envelope WeChat expects."""
        return self.crypto.encrypt_message(xml, nonce, timestamp)
