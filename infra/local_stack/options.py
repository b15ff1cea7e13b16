"""What one run of the local stack is told: where things are and which ports to take."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]

# Stable ports for people (bookmarks, the OAuth redirect URI); tests ask for "auto" ports instead.
FIXED_PORTS = {"api": 4000, "demo": 4010, "google": 4020, "aws": 4030}

LOCAL_ACCOUNT_ID = "123456789012"  # moto's default account: the one its ARNs name
STACK_NAME = "outsales-gmail-local"


@dataclass(frozen=True)
class StackOptions:
    host: str = "127.0.0.1"
    state_dir: Path = PROJECT_ROOT / ".local"
    template: Path = PROJECT_ROOT / "template.yaml"
    code_root: Path | None = None  # where CodeUri paths start; the template's folder when None (as in SAM)
    ports: dict[str, int] = field(default_factory=lambda: dict(FIXED_PORTS))
    region: str = "us-east-1"
    parameter_overrides: dict[str, str] = field(default_factory=dict)
    schedule_enabled: bool = True
    # Functions whose queues the stack leaves alone: a worker process outside it consumes them (the soak kills and
    # restarts such workers; one process could not be killed without taking moto and the emulator with it).
    external_workers: frozenset[str] = frozenset()

    @property
    def functions_root(self) -> Path:
        return self.code_root if self.code_root is not None else self.template.parent

    @property
    def stack_json(self) -> Path:
        return self.state_dir / "stack.json"

    @property
    def events_log(self) -> Path:
        return self.state_dir / "events.jsonl"

    @property
    def functions_env(self) -> Path:
        return self.state_dir / "functions.env.json"

    @property
    def functions_log(self) -> Path:
        return self.state_dir / "logs" / "functions.log"
