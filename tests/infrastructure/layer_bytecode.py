"""Checks a built copy of the shared layer ships bytecode for every module, before anything imports it.

Run with `python -S <this file> <layer>/python` ahead of layer_imports.py (importing would write the missing pycs).
Each .py needs its python3.13 pyc, hash-based and unchecked (PEP 552 flags 0b01), so Lambda's read-only /opt never
compiles from source and file times in the zip do not matter.
"""

import importlib.util
import sys
from pathlib import Path

MAGIC_313 = (3571).to_bytes(2, "little") + b"\r\n"
UNCHECKED_HASH = 0b01


def main(root: Path) -> None:
    missing: list[str] = []
    wrong: list[str] = []
    sources = sorted(root.rglob("*.py"))
    for source in sources:
        pyc = Path(importlib.util.cache_from_source(str(source)).replace(sys.implementation.cache_tag, "cpython-313"))
        if not pyc.is_file():
            missing.append(str(source.relative_to(root)))
            continue
        header = pyc.read_bytes()[:8]
        if header[:4] != MAGIC_313 or int.from_bytes(header[4:8], "little") != UNCHECKED_HASH:
            wrong.append(str(pyc.relative_to(root)))
    if missing or wrong:
        raise SystemExit(
            f"layer bytecode: {len(missing)} modules without a pyc {missing[:5]}, {len(wrong)} not "
            f"unchecked-hash 3.13 pycs {wrong[:5]}"
        )
    print(f"layer bytecode complete: {len(sources)} modules")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
