"""Connected mailboxes in memory, sharded as the index shards them (contract: test_connected_mailboxes_contract)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from gmail_integration.dal import keys


class FakeConnectedMailboxes:
    def __init__(self, workspace_ids: Sequence[str]) -> None:
        self.workspace_ids = list(workspace_ids)
        self.queries: list[int] = []

    def shards(self) -> Sequence[int]:
        return range(keys.MAILBOX_SHARDS)

    def connected(self) -> Iterator[str]:
        for shard in self.shards():
            yield from self.in_shard(shard)

    def in_shard(self, shard: int) -> Iterator[str]:
        self.queries.append(shard)
        yield from (ws for ws in self.workspace_ids if keys.mailbox_shard(ws) == shard)
