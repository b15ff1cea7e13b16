"""``python -m contracts openapi|schemas|events|all``: regenerate the committed contracts (make openapi, make schemas).

``events`` rewrites the sample events under events/ (sam local invoke -e); edit their generator, not the files.
"""

from __future__ import annotations

import argparse

from contracts import openapi, sample_events, schemas


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m contracts", description=__doc__)
    parser.add_argument("what", choices=["openapi", "schemas", "events", "all"])
    what = parser.parse_args().what
    if what in ("openapi", "all"):
        print(f"wrote {openapi.write()}")
    if what in ("schemas", "all"):
        for path in schemas.write():
            print(f"wrote {path}")
    if what in ("events", "all"):
        for path in sample_events.write():
            print(f"wrote {path}")


if __name__ == "__main__":
    main()
