"""Each function imports only the libraries it uses: Google's libraries cost about a third of a second of cold start.

Every handler is imported in a fresh interpreter (an import in this process would find them already loaded by other
tests) with the placeholder environment the contracts use, and ``sys.modules`` is read afterwards. Functions whose
every path calls Google are not checked: they need the libraries anyway and load them on first use.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

GOOGLE_MODULES = ("googleapiclient", "google.auth", "google_auth_oauthlib", "httplib2")

FUNCTIONS_WITHOUT_GOOGLE = ("api", "internal_api", "schedule_polls", "oauth_callback", "send_email", "poll_mailbox")
"""Every function except gmail_push, whose only route verifies Google's push token, may defer Google to first use."""

_PROBE = """
import json, sys
from infra.contracts.handlers import load_handler, placeholder_environment
with placeholder_environment():
    load_handler(sys.argv[1])
print(json.dumps(sorted(sys.modules)))
"""


def _modules_after_import(function: str) -> set[str]:
    result = subprocess.run(
        [sys.executable, "-c", _PROBE, function], cwd=ROOT, capture_output=True, text=True, check=False, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return set(json.loads(result.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize("function", FUNCTIONS_WITHOUT_GOOGLE)
def test_handler_import_loads_no_google_library(function: str) -> None:
    loaded = _modules_after_import(function)
    assert "boto3" in loaded  # the probe really imported the handler
    google = sorted(m for m in loaded if any(m == g or m.startswith(g + ".") for g in GOOGLE_MODULES))
    assert google == [], f"{function} imports Google libraries it does not use at import: {google[:5]}"
