"""``python -m contracts openapi|schemas|all``: regenerate the committed contracts (make openapi / make schemas)."""

from __future__ import annotations

import argparse

from contracts import openapi, schemas


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m contracts", description=__doc__)
    parser.add_argument("what", choices=["openapi", "schemas", "all"])
    what = parser.parse_args().what
    if what in ("openapi", "all"):
        print(f"wrote {openapi.write()}")
    if what in ("schemas", "all"):
        for path in schemas.write():
            print(f"wrote {path}")


if __name__ == "__main__":
    main()
