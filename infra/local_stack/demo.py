"""The demo page's own origin (the FrontendOrigin locally): static files from demo/, plus the URLs it needs.

A separate origin from the API, as in production, so CORS and the OAuth popup's postMessage are exercised for real.
"""

from __future__ import annotations

import json
import mimetypes
from pathlib import Path
from typing import Any

from werkzeug.security import safe_join
from werkzeug.wrappers import Request, Response

DEMO_DIR = Path(__file__).resolve().parent / "demo"


class DemoSite:
    def __init__(self, config: dict[str, Any], root: Path = DEMO_DIR) -> None:
        self._root = root
        self._config = config  # served as /local-config.json: what the page's script needs (never AWS keys)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        return self._respond(request)(environ, start_response)

    def _respond(self, request: Request) -> Response:
        if request.method not in ("GET", "HEAD"):
            return Response("method not allowed", status=405)
        path = request.path.lstrip("/") or "index.html"
        if path == "local-config.json":
            return Response(json.dumps(self._config), content_type="application/json", headers=_NO_STORE)
        target = safe_join(str(self._root), path)
        if target is None or not Path(target).is_file():
            if not Path(path).suffix:  # a page route of the single-page demo
                target = str(self._root / "index.html")
            else:
                return Response("not found", status=404)
        content_type = mimetypes.guess_type(target)[0] or "application/octet-stream"
        return Response(Path(target).read_bytes(), content_type=content_type, headers=_NO_STORE)


_NO_STORE = {"Cache-Control": "no-store"}
