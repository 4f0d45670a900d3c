"""Log filters: what an officer types into a search box never reaches the server log."""

from __future__ import annotations

import logging
import re

# The request line as Django's development server logs it: "GET /officer/?q=James+Hill HTTP/1.1".
QUERY = re.compile(r"\?[^ \"]*")


class QueryStringRemoved(logging.Filter):
    """Drop the query string from request lines (a search can hold a name or a PNC ID)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and record.args and isinstance(record.args[0], str):
            record.args = (QUERY.sub("?…", record.args[0]), *record.args[1:])
        elif isinstance(record.msg, str):
            record.msg = QUERY.sub("?…", record.msg)
        return True
