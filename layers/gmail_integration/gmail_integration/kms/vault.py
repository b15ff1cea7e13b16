"""The token vault: refresh tokens encrypted with KMS under an encryption context naming their workspace.

The context is authenticated data: a ciphertext copied from one workspace's item to another's cannot be
decrypted there. Decrypted tokens are kept in memory for the warm container's life, so each workspace costs at
most one KMS call per container, and never reach a log (``SecretStr``).
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from threading import Lock
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError
from pydantic import SecretStr

if TYPE_CHECKING:
    from mypy_boto3_kms import KMSClient

_CACHE_SIZE = 2048


class TokenUnreadableError(Exception):
    """KMS refused the ciphertext for this workspace (wrong context, or not ours)."""


def encryption_context(workspace_id: str) -> dict[str, str]:
    return {"workspace_id": workspace_id}


class KmsTokenVault:
    def __init__(self, client: KMSClient, key_id: str) -> None:
        self._client = client
        self._key_id = key_id
        self._cache: OrderedDict[tuple[str, str], SecretStr] = OrderedDict()
        self._lock = Lock()

    def seal(self, workspace_id: str, token: SecretStr) -> bytes:
        answer = self._client.encrypt(
            KeyId=self._key_id,
            Plaintext=token.get_secret_value().encode(),
            EncryptionContext=encryption_context(workspace_id),
        )
        ciphertext = answer["CiphertextBlob"]
        self._remember((workspace_id, _digest(ciphertext)), token)
        return ciphertext

    def open(self, workspace_id: str, ciphertext: bytes) -> SecretStr:
        key = (workspace_id, _digest(ciphertext))
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None:
                self._cache.move_to_end(key)
                return cached
        try:
            answer = self._client.decrypt(
                CiphertextBlob=ciphertext, KeyId=self._key_id, EncryptionContext=encryption_context(workspace_id)
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "InvalidCiphertextException":
                raise TokenUnreadableError(workspace_id) from exc
            raise
        token = SecretStr(answer["Plaintext"].decode())
        self._remember(key, token)
        return token

    def forget(self, workspace_id: str) -> None:
        with self._lock:
            for key in [k for k in self._cache if k[0] == workspace_id]:
                del self._cache[key]

    def _remember(self, key: tuple[str, str], token: SecretStr) -> None:
        with self._lock:
            self._cache[key] = token
            self._cache.move_to_end(key)
            while len(self._cache) > _CACHE_SIZE:
                self._cache.popitem(last=False)


def _digest(ciphertext: bytes) -> str:
    return hashlib.sha256(ciphertext).hexdigest()
