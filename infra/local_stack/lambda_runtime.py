"""The functions' handlers, run in this process as Lambda runs them: one warm container per function.

Each handler file is loaded by path under a module name of its own, so two functions' ``handler.py`` never collide
and no function folder is put on sys.path (in Lambda each function sees only its own code and the layer).
The lock per function is the container: Lambda hands a warm container one event at a time.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from local_stack.options import LOCAL_ACCOUNT_ID

log = logging.getLogger("local_stack.lambda")

Handler = Callable[[Any, Any], Any]


class FunctionLoadError(RuntimeError):
    """The handler file is missing or fails to import (Lambda's Runtime.ImportModuleError)."""


@dataclass
class LambdaContext:
    """What Lambda passes as ``context``; Powertools reads these attributes."""

    function_name: str
    memory_limit_in_mb: int
    invoked_function_arn: str
    aws_request_id: str
    log_group_name: str
    log_stream_name: str
    deadline_ms: int
    function_version: str = "$LATEST"
    identity: Any = None
    client_context: Any = None
    tenant_id: str | None = None

    def get_remaining_time_in_millis(self) -> int:
        return max(0, self.deadline_ms - int(time.time() * 1000))


class LocalFunction:
    def __init__(
        self,
        logical_id: str,
        function_name: str,
        handler_file: Path,
        handler_attr: str,
        memory_mb: int,
        timeout_s: int,
        region: str,
    ) -> None:
        self.logical_id = logical_id
        self.function_name = function_name
        self.handler_file = handler_file
        self.handler_attr = handler_attr
        self.memory_mb = memory_mb
        self.timeout_s = timeout_s
        self.arn = f"arn:aws:lambda:{region}:{LOCAL_ACCOUNT_ID}:function:{function_name}"
        self._lock = threading.Lock()
        self._load_lock = threading.Lock()
        self._handler: Handler | None = None
        self._module: ModuleType | None = None

    @classmethod
    def from_handler_setting(
        cls,
        logical_id: str,
        function_name: str,
        code_dir: Path,
        handler: str,
        memory_mb: int,
        timeout_s: int,
        region: str,
    ) -> LocalFunction:
        module_path, _, attr = handler.rpartition(".")
        return cls(
            logical_id,
            function_name,
            code_dir / (module_path.replace(".", "/") + ".py"),
            attr,
            memory_mb,
            timeout_s,
            region,
        )

    def load(self) -> Handler:
        """Imports the handler once (a cold start); later calls reuse it, as a warm container does."""
        if self._handler is not None:
            return self._handler
        with self._load_lock:  # a poller and the front door may both ask first
            return self._import()

    def _import(self) -> Handler:
        if self._handler is not None:
            return self._handler
        if not self.handler_file.is_file():
            raise FunctionLoadError(f"{self.logical_id}: no handler file {self.handler_file}")
        module_name = f"local_stack_functions.{self.logical_id}"
        spec = importlib.util.spec_from_file_location(module_name, self.handler_file)
        if spec is None or spec.loader is None:
            raise FunctionLoadError(f"{self.logical_id}: cannot load {self.handler_file}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module  # pydantic and dataclasses look their module up by name
        try:
            spec.loader.exec_module(module)
        except Exception as error:
            del sys.modules[module_name]
            _print_lambda_error(error, "")
            raise FunctionLoadError(f"{self.logical_id}: importing {self.handler_file} failed: {error!r}") from error
        handler: Handler | None = getattr(module, self.handler_attr, None)
        if not callable(handler):
            raise FunctionLoadError(f"{self.logical_id}: {self.handler_file} has no callable {self.handler_attr}")
        self._module, self._handler = module, handler
        return self._handler

    def invoke(self, event: Any) -> Any:
        """Runs one event to completion; the handler's exception propagates (the caller decides what it means)."""
        with self._lock:
            handler = self.load()
            request_id = str(uuid.uuid4())
            context = LambdaContext(
                function_name=self.function_name,
                memory_limit_in_mb=self.memory_mb,
                invoked_function_arn=self.arn,
                aws_request_id=request_id,
                log_group_name=f"/aws/lambda/{self.function_name}",
                log_stream_name=time.strftime("%Y/%m/%d/[$LATEST]") + uuid.uuid4().hex,
                deadline_ms=int(time.time() * 1000) + self.timeout_s * 1000,
            )
            started = time.monotonic()
            try:
                return handler(event, context)
            except Exception as error:
                _print_lambda_error(error, request_id)
                raise
            finally:
                elapsed = time.monotonic() - started
                if elapsed > self.timeout_s:
                    log.warning("%s ran %.1f s, past its %d s timeout", self.logical_id, elapsed, self.timeout_s)


def _print_lambda_error(error: BaseException, request_id: str) -> None:
    # The runtime's own error record, as Lambda writes it to the function's log.
    record = {
        "errorMessage": str(error),
        "errorType": type(error).__name__,
        "requestId": request_id,
        "stackTrace": traceback.format_tb(error.__traceback__),
    }
    print(json.dumps(record), flush=True)
