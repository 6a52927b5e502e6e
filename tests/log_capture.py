"""Every log line a test's code writes, in both formats at once, as an operator's
process would write them (core.logging_setup's formatters and filters)."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from core.logging_setup import configure_logging, formatter_for


@dataclass
class CapturedLogs:
    """The text and the JSON lines written so far."""

    text_stream: io.StringIO = field(default_factory=io.StringIO)
    json_stream: io.StringIO = field(default_factory=io.StringIO)

    def text(self) -> list[str]:
        """The text lines."""
        return self.text_stream.getvalue().splitlines()

    def entries(self) -> list[dict[str, Any]]:
        """The JSON lines, each parsed (a line that is not one JSON object fails)."""
        parsed = [json.loads(line) for line in self.json_stream.getvalue().splitlines()]
        assert all(isinstance(entry, dict) for entry in parsed)
        return parsed

    def everything(self) -> str:
        """Both formats' output, for searching."""
        return self.text_stream.getvalue() + self.json_stream.getvalue()


@contextmanager
def captured_logs(level: int = logging.DEBUG) -> Iterator[CapturedLogs]:
    """Root handlers in text and JSON at `level`, given the filters every handler gets
    from configure_logging (redaction, request id)."""
    captured = CapturedLogs()
    handlers = []
    for stream, log_format in ((captured.text_stream, "text"),
                               (captured.json_stream, "json")):
        handler = logging.StreamHandler(stream)
        handler.setFormatter(formatter_for(log_format))
        handlers.append(handler)
    root = logging.getLogger()
    level_before = root.level
    for handler in handlers:
        root.addHandler(handler)
    configure_logging(verbose=True)  # (root has handlers: it only adds their filters)
    root.setLevel(level)
    try:
        yield captured
    finally:
        for handler in handlers:
            root.removeHandler(handler)
        root.setLevel(level_before)
