"""Key builders of the single table. Every access pattern of design.md is one GetItem or one Query on these.

| item         | pk            | sk               | gsi1pk (sparse)               | gsi1sk                    |
|--------------|---------------|------------------|-------------------------------|---------------------------|
| connection   | WS#<ws>       | CONNECTION       | MAILBOXES#<shard> (connected) | <ws>                      |
| profile      | WS#<ws>       | PROFILE          |                               |                           |
| billing gate | WS#<ws>       | BILLING          |                               |                           |
| agent gate   | WS#<ws>       | AGENT#<agent>    |                               |                           |
| email        | WS#<ws>       | EMAIL#<activity> | PARKED#<ws> (while parked)    | <reason>#<approved>#<act> |
| thread       | WS#<ws>       | THREAD#<thread>  | THREADS#<ws> (until answered) | <last sent>#<thread>      |
| suppression  | WS#<ws>       | SUPPRESSION#<addr> |                             |                           |
| pace         | WS#<ws>       | PACE             |                               |                           |
| OAuth state  | STATE#<nonce> | STATE            |                               |                           |

Emails by Gmail thread (for replies) are the thread items: a BatchGetItem of the threads that history says changed.
"""

from __future__ import annotations

import hashlib

MAILBOX_SHARDS = 16
"""Connected mailboxes are spread over this many index partitions so that a huge fleet never lands on one."""


def workspace_pk(workspace_id: str) -> str:
    return f"WS#{workspace_id}"


CONNECTION_SK = "CONNECTION"
PROFILE_SK = "PROFILE"
BILLING_SK = "BILLING"
PACE_SK = "PACE"
EMAIL_SK_PREFIX = "EMAIL#"


def agent_sk(agent_id: str) -> str:
    return f"AGENT#{agent_id}"


def email_sk(activity_id: str) -> str:
    return f"{EMAIL_SK_PREFIX}{activity_id}"


def mailbox_shard(workspace_id: str) -> int:
    return int.from_bytes(hashlib.sha256(workspace_id.encode()).digest()[:4], "big") % MAILBOX_SHARDS


def mailboxes_gsi1pk(shard: int) -> str:
    return f"MAILBOXES#{shard}"


def recent_threads_gsi1pk(workspace_id: str) -> str:
    return f"THREADS#{workspace_id}"


def parked_gsi1pk(workspace_id: str) -> str:
    return f"PARKED#{workspace_id}"


THREAD_SK_PREFIX = "THREAD#"


def thread_sk(thread_id: str) -> str:
    return f"{THREAD_SK_PREFIX}{thread_id}"


SUPPRESSION_SK_PREFIX = "SUPPRESSION#"


def suppression_sk(normalized_address: str) -> str:
    return f"{SUPPRESSION_SK_PREFIX}{normalized_address}"


def state_pk(nonce_hash: str) -> str:
    return f"STATE#{nonce_hash}"


STATE_SK = "STATE"
