"""Logging that never records who visited: no IP address in any line."""

from __future__ import annotations

import logging
import re

_ADDRESS = re.compile(r"^\S+ - - ")


class NoAddresses(logging.Filter):
    """Werkzeug's request lines start with the client address: blank it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = _ADDRESS.sub("- - - ", record.msg)
        return True


def init_app(app) -> None:
    werkzeug_log = logging.getLogger("werkzeug")
    if not any(isinstance(f, NoAddresses) for f in werkzeug_log.filters):
        werkzeug_log.addFilter(NoAddresses())
