"""Make the folders and demo secrets the embedded defaults need, so settings only read them.

Run by `make run` (scripts/run.py), `make test` and `make lint` (scripts/test.sh, the Makefile)
before anything loads the settings; safe to run again (nothing that exists is changed). The
folder is DJANGO_VAR_DIR (default var/ beside the code). Standard library only: it runs before
Django is imported.

    python scripts/prepare.py
"""

from __future__ import annotations

import base64
import os
import secrets
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# The demo's and the tests' secrets, used only when the environment gives none (config/settings).
SECRETS = {
    "secret_key": lambda: secrets.token_urlsafe(50),
    "field_key": lambda: base64.urlsafe_b64encode(os.urandom(32)).decode(),  # a Fernet key
    "person_hash_key": lambda: secrets.token_urlsafe(32),
}
# The file-system Celery broker's folders, collected static files, uploads, the drop root and
# the demo's e-mails (one file each: config/settings.py).
FOLDERS = [
    "celery/queue",
    "celery/processed",
    "celery/results",
    "celery/control",
    "staticfiles",
    "media",
    "drop",
    "demo-mail",
]


def var_dir() -> Path:
    return Path(os.environ.get("DJANGO_VAR_DIR") or ROOT / "var")


def prepare(folder: Path) -> list[Path]:
    """Create what is missing under the folder; return what was made."""
    made = []
    for name in FOLDERS:
        path = folder / name
        if not path.is_dir():
            path.mkdir(parents=True, exist_ok=True)
            made.append(path)
    for name, make in SECRETS.items():
        path = folder / name
        if not path.exists():
            # Created readable by this user only, never briefly world-readable.
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "w") as handle:
                handle.write(make())
            made.append(path)
    return made


if __name__ == "__main__":
    for path in prepare(var_dir()):
        print(f"made {path}")
