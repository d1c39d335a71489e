"""A real JupyterLab server and Debian's chromium, driven by Playwright, for the browser tests.

One server per test session (``lab_server`` in conftest.py): ``jupyter lab`` on a free local
port with a token, its root a temporary directory, its kernels importing this checkout. No network:
the browser aborts every request that is not to the server.
"""
from __future__ import annotations

import contextlib
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class LabServer:
    """``jupyter lab`` serving ``root``; ``url(path)`` opens a notebook in the Lab UI."""

    def __init__(self, root: str, base_url: str = "/"):
        self.root = root
        self.base_url = base_url  # "/user/test/": served under a prefix, as JupyterHub does
        self.port = _free_port()
        self.token = secrets.token_hex(16)
        self.process = None

    def start(self, timeout: float = 90.0) -> LabServer:
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(
            [ROOT] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))
        command = [sys.executable, "-m", "jupyter", "lab", "--no-browser",
                   f"--ServerApp.port={self.port}", "--ServerApp.ip=127.0.0.1",
                   f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={self.root}",
                   "--LabApp.news_url=", "--LabApp.check_for_updates_class="
                   "jupyterlab.NeverCheckForUpdate", "--ServerApp.open_browser=False",
                   "--allow-root", "--LabApp.extension_manager=readonly",
                   f"--ServerApp.base_url={self.base_url}"]
        self.log = open(os.path.join(os.path.dirname(self.root), "lab.log"), "w")  # noqa: SIM115
        self.process = subprocess.Popen(command, cwd=self.root, env=env, stdout=self.log,
                                        stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"jupyter lab exited with {self.process.returncode}")
            with contextlib.suppress(OSError):
                urllib.request.urlopen(f"{self.origin}{self.base_url}api/status?token="
                                       f"{self.token}", timeout=2)
                return self
            time.sleep(0.5)
        raise RuntimeError("jupyter lab did not start in time")

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str = "") -> str:
        """``path`` opened alone, in a fresh workspace (Lab would restore earlier tabs)."""
        workspace = f"w{secrets.token_hex(4)}"
        return (f"{self.origin}{self.base_url}lab/workspaces/{workspace}/tree/{path}"
                f"?reset&token={self.token}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.close()


def local_only(page, port: int) -> None:
    """Abort every request that does not go to the Lab server on ``port`` (no network)."""
    allowed = (f"http://127.0.0.1:{port}/", f"ws://127.0.0.1:{port}/", "data:", "blob:")
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(allowed)
               else route.abort())
