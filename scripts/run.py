"""Set up and serve the demo: migrate, load the demo trial, start a Celery worker with beat, serve.

Run by `make run` inside the virtual environment with DJANGO_DEMO=1. The worker uses whatever
broker the settings select (a folder under var/ by default, Redis when CELERY_BROKER_URL is set).
The set-up and the worker log warnings only and the demo's e-mails go to files, so the terminal
ends with the address and the sign-in details, followed only by the server's own lines.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

from prepare import prepare, var_dir  # scripts/ is on the path of a script run from it

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
HOST = os.environ.get("RUN_HOST", "127.0.0.1")
PORT = os.environ.get("RUN_PORT", "8000")


# The line load_demo starts the sign-in details with (demo/management/commands/load_demo.py).
LOGINS_START = "Demo users"


def manage(*args: str) -> str:
    """Run a manage.py command; return what it printed (its warnings go straight to stderr)."""
    done = subprocess.run(
        [PY, "manage.py", *args], cwd=ROOT, check=True, stdout=subprocess.PIPE, text=True
    )
    return done.stdout


def split_logins(output: str) -> tuple[str, str]:
    """Split load_demo's output into its summary and its sign-in details."""
    at = output.find(LOGINS_START)
    return (output, "") if at < 0 else (output[:at].strip(), output[at:].rstrip())


def port_taken(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        try:
            probe.bind((host.strip("[]"), port))
        except OSError:
            return True
    return False


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
    # Set-up and worker log warnings only (the server's request lines are set apart in settings).
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    var = var_dir()
    mail = var / "demo-mail"
    shown = mail.relative_to(ROOT) if mail.is_relative_to(ROOT) else mail
    prepare(var)  # var/: the demo's secrets, the file broker's folders, the demo's e-mails
    print(
        "Setting up the demo (database, static files, two trials): a minute or two...", flush=True
    )
    manage("migrate", "--noinput", "-v", "0")
    manage("collectstatic", "--noinput", "-v", "0")
    summary, logins = split_logins(manage("load_demo"))
    print(summary, flush=True)
    if "--setup-only" in sys.argv:  # used by the test of these set-up steps
        print(f"\n{logins}", flush=True)
        return 0
    if port_taken(HOST, int(PORT)):
        print(f"Port {PORT} is in use: stop what uses it, or run with RUN_PORT=8001.", flush=True)
        return 1
    worker = subprocess.Popen(
        # As root (a container, a CI machine) Celery warns about superuser privileges on every
        # start: the demo's worker runs its own tasks only, so that warning is not shown.
        [
            PY,
            "-W",
            "ignore:You're running the worker with superuser privileges",
            "-m",
            "celery",
            "-A",
            "config",
            "--quiet",
            "worker",
            "--beat",
            "--pool=solo",
        ],
        cwd=ROOT,
        preexec_fn=_die_with_parent,  # no threads exist yet, so preexec_fn is safe
    )
    # Last before the server's own lines, so the sign-in details stay on screen.
    print(
        f"\nServing http://{HOST}:{PORT}/ (Ctrl+C stops the server and the worker).\n"
        f"E-mails the demo sends are written to {shown}/, one file each.\n\n{logins}\n",
        flush=True,
    )
    try:
        server = subprocess.run(
            [PY, "manage.py", "runserver", f"{HOST}:{PORT}", "--noreload", "--skip-checks"],
            cwd=ROOT,
            check=False,
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
