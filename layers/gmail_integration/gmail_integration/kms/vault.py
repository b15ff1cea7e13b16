"""The token vault: refresh tokens encrypted with KMS under an encryption context naming their workspace.

The context is authenticated data: a ciphertext copied from one workspace's item to another's cannot be
decrypted there. Decrypted tokens are kept in memory for the warm container's life, so each workspace costs at
most one KMS call per container, and never reach a log (``SecretStr``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from botocore.exceptions import ClientError
from pydantic import SecretStr

from gmail_integration.cache import WorkspaceCache, secret_key

if TYPE_CHECKING:
    from mypy_boto3_kms import KMSClient


class TokenUnreadableError(Exception):
    """KMS refused the ciphertext for this workspace (wrong context, or not ours)."""


def encryption_context(workspace_id: str) -> dict[str, str]:
    return {"workspace_id": workspace_id}


class KmsTokenVault:
    def __init__(self, client: KMSClient, key_id: str) -> None:
        self._client = client
        self._key_id = key_id
        self._cache: WorkspaceCache[SecretStr] = WorkspaceCache()

    def forget_all(self) -> None:
        """Drops every decrypted token: a SnapStart environment restored from a snapshot must not hold one."""
        self._cache.clear()

    def seal(self, workspace_id: str, token: SecretStr) -> bytes:
        answer = self._client.encrypt(
            KeyId=self._key_id,
            Plaintext=token.get_secret_value().encode(),
            EncryptionContext=encryption_context(workspace_id),
        )
        ciphertext = answer["CiphertextBlob"]
        self._cache.put(secret_key(workspace_id, ciphertext), token)
        return ciphertext

    def open(self, workspace_id: str, ciphertext: bytes) -> SecretStr:
        key = secret_key(workspace_id, ciphertext)
        cached = self._cache.get(key)
        if cached is not None:
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
        self._cache.put(key, token)
        return token

    def forget(self, workspace_id: str) -> None:
        self._cache.forget(workspace_id)
