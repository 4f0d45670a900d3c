"""Set up and serve the demo: migrate, load the demo trial, start a Celery worker with beat, serve.

Run by `make run` inside the virtual environment with DJANGO_DEMO=1. The worker uses whatever
broker the settings select (a folder under var/ by default, Redis when CELERY_BROKER_URL is set).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from prepare import prepare, var_dir  # scripts/ is on the path of a script run from it

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
HOST = os.environ.get("RUN_HOST", "127.0.0.1")
PORT = os.environ.get("RUN_PORT", "8000")


def manage(*args: str) -> None:
    subprocess.run([PY, "manage.py", *args], cwd=ROOT, check=True)


def _die_with_parent() -> None:
    """On Linux, have the kernel stop the worker if this script dies without cleaning up."""
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _stop(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main() -> int:
    signal.signal(signal.SIGTERM, _stop)
    os.environ.setdefault("DJANGO_DEMO", "1")
    prepare(var_dir())  # var/: the demo's secrets and the file broker's folders
    manage("migrate", "--noinput")
    manage("collectstatic", "--noinput", "-v", "0")
    manage("load_demo")
    if "--setup-only" in sys.argv:  # used by the test of these set-up steps
        return 0
    worker = subprocess.Popen(
        [PY, "-m", "celery", "-A", "config", "worker", "--beat", "--pool=solo", "--loglevel=INFO"],
        cwd=ROOT,
        preexec_fn=_die_with_parent,  # no threads exist yet, so preexec_fn is safe
    )
    print(f"\nServing http://{HOST}:{PORT}/ (Ctrl+C stops the server and the worker)\n", flush=True)
    try:
        server = subprocess.run(
            [PY, "manage.py", "runserver", f"{HOST}:{PORT}", "--noreload"], cwd=ROOT, check=False
        )
        return server.returncode
    except KeyboardInterrupt:
        return 0
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()


if __name__ == "__main__":
    sys.exit(main())
