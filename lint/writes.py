"""Every database write lives in an app's services package: find ORM writes anywhere else.

Run by `make lint`. A write is a model's save() or delete(), or a queryset's create, update,
delete, bulk_create, bulk_update, get_or_create or update_or_create (a call on `.objects` or
on a queryset built from it). Migrations and their helpers are exempt (they run once, with
the deployment), and so is a line that says why with `# one-door: <reason>`.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = (
    "common",
    "trial",
    "participants",
    "workshops",
    "outcomes",
    "reports",
    "privacy",
    "oversight",
    "plans",
    "api",
    "demo",
    "config",
    "signin",
)
ALWAYS = {"save", "delete"}
QUERYSET = {
    "create",
    "update",
    "delete",
    "bulk_create",
    "bulk_update",
    "get_or_create",
    "update_or_create",
}


def _from_manager(node: ast.expr) -> bool:
    """Say whether an expression is `X.objects` or a chain of calls starting from it."""
    while True:
        if isinstance(node, ast.Attribute):
            if node.attr == "objects":
                return True
            node = node.value
        elif isinstance(node, ast.Call):
            node = node.func
        else:
            return False


def writes_in(path: Path) -> list[tuple[int, str]]:
    """Return (line, call) of each ORM write outside a services package in one file."""
    source = path.read_text()
    lines = source.splitlines()
    found = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        name = node.func.attr
        receiver = node.func.value
        is_write = (name in QUERYSET and _from_manager(receiver)) or (
            name in ALWAYS and not _exempt_receiver(receiver)
        )
        if is_write and "# one-door:" not in lines[node.lineno - 1]:
            found.append((node.lineno, lines[node.lineno - 1].strip()))
    return found


def _exempt_receiver(receiver: ast.expr) -> bool:
    """Sessions and forms save themselves; they are not rows of ours."""
    return ast.unparse(receiver).endswith(("session", "form"))


def main() -> int:
    problems = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            parts = path.relative_to(ROOT).parts
            if "migrations" in parts or "services" in parts or path.stem == "migration_helpers":
                continue
            problems += [(path, line, text) for line, text in writes_in(path)]
    for path, line, text in problems:
        print(f"{path.relative_to(ROOT)}:{line}: a write outside services: {text}")
    if problems:
        print(f"{len(problems)} write(s) outside an app's services package.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
