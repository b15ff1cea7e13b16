"""Each function imports only what it uses: every module loaded at a cold start is time the caller waits for.

Every probe runs in a fresh interpreter (an import in this process would find modules already loaded by other tests)
with the placeholder environment the contracts use, and ``sys.modules`` is read afterwards. Two rules:

- importing a handler loads no adapter and no use case at all: the composition root (``bootstrap.py``) imports each
  one inside the property that builds it, on the first request that needs it;
- building one use case loads only what that use case calls: the status route loads no Google library and no KMS,
  the scheduler nothing of sending (MIME, the ledger) or Google, the internal routes no Google, the push route no KMS.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

FUNCTIONS = ("api", "internal_api", "oauth_callback", "gmail_push", "schedule_polls", "send_email", "poll_mailbox")

GOOGLE = ("googleapiclient", "google.auth", "google.oauth2", "google_auth_oauthlib", "google_auth_httplib2", "httplib2")
KMS = ("gmail_integration.kms",)
SENDING = ("gmail_integration.sending", "gmail_integration.dal.ledger", "gmail_integration.dal.send_context")
MIME = ("gmail_integration.sending.mime", "email.mime")
REPLIES = ("gmail_integration.replies",)
ADAPTERS_AND_USE_CASES = (
    "gmail_integration.dal",
    "gmail_integration.gmail",
    "gmail_integration.oauth",
    "gmail_integration.kms",
    "gmail_integration.sqs",
    "gmail_integration.events.eventbridge",
    "gmail_integration.sending",
    "gmail_integration.replies",
    "gmail_integration.mailbox",
)

_PROBE = """
import json, os, sys
from infra.contracts.handlers import load_handler, placeholder_environment
function, attributes, environ = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
os.environ.update(environ)
with placeholder_environment():
    load_handler(function)
    if attributes:
        from gmail_integration.bootstrap import bootstrap
        container = bootstrap()
        for name in attributes:
            getattr(container, name)
print(json.dumps(sorted(sys.modules)))
"""


def _modules_after(function: str, attributes: tuple[str, ...] = (), environ: dict[str, str] | None = None) -> set[str]:
    args = [function, json.dumps(list(attributes)), json.dumps(environ or {})]
    result = subprocess.run(
        [sys.executable, "-c", _PROBE, *args], cwd=ROOT, capture_output=True, text=True, check=False, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return set(json.loads(result.stdout.strip().splitlines()[-1]))


def _loaded(modules: set[str], packages: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == p or m.startswith(p + ".") for p in packages))


@pytest.mark.parametrize("function", FUNCTIONS)
def test_importing_a_handler_loads_no_adapter_no_use_case_and_no_google_library(function: str) -> None:
    loaded = _modules_after(function)
    assert "boto3" in loaded  # the probe really imported the handler
    assert "gmail_integration.bootstrap" in loaded
    assert _loaded(loaded, GOOGLE) == [], f"{function} imports Google libraries at import"
    assert _loaded(loaded, ADAPTERS_AND_USE_CASES) == [], f"{function} builds its composition root at import"


ROUTE_USE_CASES = [
    # (function, the container attributes its requests build, what they must not load)
    ("api", ("get_mailbox_status", "emails", "sender_profiles"), GOOGLE + KMS + SENDING + REPLIES),
    ("internal_api", ("set_billing", "set_agent_active", "release_parked", "cancel_parked"), GOOGLE + KMS + MIME),
    ("internal_api", ("list_suppressions", "lift_suppression", "held_emails"), GOOGLE + KMS + MIME + REPLIES),
    ("schedule_polls", ("schedule_polls",), GOOGLE + KMS + SENDING + MIME),
    ("gmail_push", ("receive_push",), KMS + SENDING + MIME),
]


@pytest.mark.parametrize(("function", "attributes", "forbidden"), ROUTE_USE_CASES)
def test_a_use_case_loads_only_what_it_calls(
    function: str, attributes: tuple[str, ...], forbidden: tuple[str, ...]
) -> None:
    loaded = _modules_after(function, attributes)
    assert "gmail_integration.bootstrap" in loaded
    assert _loaded(loaded, ADAPTERS_AND_USE_CASES)  # the probe really built the use cases
    assert _loaded(loaded, forbidden) == [], f"{function}: {attributes} load what they never call"


def test_the_google_adapter_is_what_brings_google_in() -> None:
    """The other side of the rules above: a use case that calls Gmail does load it, so the probe can see a load."""
    loaded = _modules_after("send_email", ("process_send_message",))
    assert _loaded(loaded, ("googleapiclient",))
    assert _loaded(loaded, KMS)
