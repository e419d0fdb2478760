"""What the reliability checks (crash.py, soak.py, fuzz.py) share: a free loopback port, the journeylab CLI, and
one `journeylab serve` process that can be started, killed, stopped and waited on, and the entry point that
turns a broken set-up into the same summary line as a failed check."""
import os
import signal
import socket
import subprocess
import sys
import time

import requests


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def cli(binary, database_url, *args):
    """Runs `journeylab ARGS --database-url URL`; returns stdout, raises with stderr on a non-zero exit."""
    r = subprocess.run([binary, *args, "--database-url", database_url], capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        raise RuntimeError(f"journeylab {' '.join(args)} exited {r.returncode}: {r.stderr.strip()[:500]}")
    return r.stdout


class Server:
    """`journeylab serve` on a fixed loopback port; each start logs to its own file in `logdir`."""

    def __init__(self, binary, database_url, logdir, extra_args=()):
        self.binary, self.database_url, self.logdir = binary, database_url, logdir
        self.extra_args = list(extra_args)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc = None
        self.starts = 0
        self.log_path = None

    def start(self):
        self.starts += 1
        self.log_path = os.path.join(self.logdir, "serve.log" if self.starts == 1 else f"serve-{self.starts}.log")
        with open(self.log_path, "w") as out:
            self.proc = subprocess.Popen(
                [self.binary, "serve", "--host", "127.0.0.1", "--port", str(self.port),
                 "--database-url", self.database_url, *self.extra_args],
                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        return self

    @property
    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def wait_ready(self, limit=60.0):
        """Waits for /readyz 200; returns the seconds it took."""
        started = time.monotonic()
        while time.monotonic() - started < limit:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited with {self.proc.returncode} (log {self.log_path})")
            try:
                if requests.get(self.base + "/readyz", timeout=2).status_code == 200:
                    return time.monotonic() - started
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"the server was not ready within {limit:.0f} s (log {self.log_path})")

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self, grace=10):
        """SIGTERM, then SIGKILL after `grace` seconds; returns the exit status."""
        if self.alive:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        return None if self.proc is None else self.proc.returncode


def run(name, main):
    """Runs `main()` and exits with its status; an exception (set-up or fault injection broke) is a failed run,
    said plainly, ending with the `NAME: 0 passed, 1 failed` line the shell scripts look for."""
    try:
        sys.exit(main())
    except Exception as e:  # noqa: BLE001
        print(f"{name}: error: {type(e).__name__}: {e}", file=sys.stderr)
        print(f"{name}: 0 passed, 1 failed")
        sys.exit(1)
