"""Where a record source may point: HTTP endpoints on the allow-list, folders under the drop root.

The worker fetches whatever URL a source names and moves the files of whatever folder it
names, so both are limited by settings, not by whoever configures a source:
- OUTCOMES_SOURCE_URLS lists the origins a source may use, e.g. https://records.police.uk or
  https://*.police.uk (any port when none is given). Only https, unless an entry itself says
  http (a test server on 127.0.0.1, say). A host that resolves to a loopback, private,
  link-local or otherwise reserved address is refused unless an entry names that address.
- OUTCOMES_DROP_ROOT is the one folder drop folders must lie in (symbolic links resolved).
The same checks run when a source is saved and before every page is fetched (a page's "next"
link included), so a source edited in the database or a shrunk list cannot reach further.
"""

from __future__ import annotations

import ipaddress
import socket
from fnmatch import fnmatch
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings

from common.exceptions import DomainError


def _entries() -> list[tuple[str, str, int | None]]:
    """Return the allow-list as (scheme, host pattern, port or None)."""
    found = []
    for entry in getattr(settings, "OUTCOMES_SOURCE_URLS", []):
        parts = urlsplit(entry.strip())
        if parts.scheme in ("http", "https") and parts.hostname:
            found.append((parts.scheme, parts.hostname.lower(), parts.port))
    return found


def _named_literally(host: str) -> bool:
    """Say whether the host is an IP address (then an entry naming it allows it)."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _internal(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    return not ip.is_global or ip.is_multicast


def url_problem(url: str, *, resolve: bool = True) -> str:
    """Return why a source may not fetch this URL, or "" if it may."""
    if not url.isprintable():  # a "next" link with control characters, a NUL above all
        return "The address holds control characters."
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host:
        return "Give the endpoint's full address, starting https://."
    if parts.username or parts.password:
        return "Put the credentials in the bearer token, not in the address."
    try:
        port = parts.port
    except ValueError:
        return "The address has an invalid port."
    match = [
        entry
        for entry in _entries()
        if entry[0] == parts.scheme and fnmatch(host, entry[1]) and entry[2] in (None, port)
    ]
    if not match:
        named_http = any(e[0] == "http" and fnmatch(host, e[1]) for e in _entries())
        if parts.scheme != "https" and not named_http:
            return "Record sources are fetched over https only."
        return (
            f"{host} is not on the list of records systems this installation may reach "
            "(OUTCOMES_SOURCE_URLS): ask the system administrator to add it."
        )
    if not resolve:
        return ""
    literal = any(entry[1] == host and _named_literally(host) for entry in match)
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, port or 443)}
    except OSError:
        return f"{host} cannot be found (DNS)."
    if not literal and any(_internal(str(a).split("%")[0]) for a in addresses):
        return (
            f"{host} resolves to an internal address: only an allow-list entry naming that "
            "address can allow it."
        )
    return ""


def url_check(url: str) -> None:
    """Refuse a URL a source may not fetch, naming the url field (the fetch resolves it)."""
    # Not resolved here: the web server may not see the records system's DNS, and what an
    # address resolves to can change; every fetch checks it again, resolved.
    problem = url_problem(url, resolve=False)
    if problem:
        raise DomainError(problem, field="url")


def drop_root() -> Path:
    """Return the folder every drop folder must lie in, resolved."""
    return Path(settings.OUTCOMES_DROP_ROOT).resolve()


def folder_problem(folder: str) -> str:
    """Return why a source may not read this folder, or "" if it may."""
    if not folder.strip():
        return "A folder source needs the folder's path."
    path = Path(folder).expanduser()
    if not path.is_absolute():
        return "Give the folder's full path."
    root = drop_root()
    if not path.resolve().is_relative_to(root):
        return f"Drop folders must lie under {root} (OUTCOMES_DROP_ROOT)."
    return ""


def folder_check(folder: str) -> None:
    """Refuse a folder a source may not read, naming the folder field."""
    problem = folder_problem(folder)
    if problem:
        raise DomainError(problem, field="folder")
