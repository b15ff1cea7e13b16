"""`python -m google_emulator --host 127.0.0.1 --port 8089`: the emulator in the foreground until Ctrl-C or SIGTERM."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from types import FrameType

from google_emulator.server import Emulator


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m google_emulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8089, help="port; 0 picks a free one (default 8089)")
    parser.add_argument("--verbose", action="store_true", help="log every request")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO, format="%(message)s")

    emulator = Emulator.bind(args.host, args.port)

    def stop(_signum: int, _frame: FrameType | None) -> None:
        # shutdown() waits for serve_forever to return, so it must run outside the serving thread.
        threading.Thread(target=emulator.stop, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    print(f"Google emulator listening on {emulator.url}", flush=True)
    try:
        emulator.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        emulator.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
