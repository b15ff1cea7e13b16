"""One way for unit tests to import a script or handler that lives outside any package (functions/, infra/scripts/)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType


def load_file(name: str, path: Path) -> ModuleType:
    """Imports ``path`` under ``name``, registered in ``sys.modules`` first: pydantic and dataclasses look a class's
    module up by name while the module runs."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module
