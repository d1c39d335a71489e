"""Serving Model Explorer for :func:`~.explorer.explore`: its own server, reachable from the browser.

Model Explorer's server (Flask, from ``ai-edge-model-explorer``) runs on a free localhost port in
the kernel's process. A browser on the same machine opens ``http://127.0.0.1:<port>/``; on Binder,
JupyterHub or a server behind an SSH tunnel it cannot, and reaches the port through
jupyter-server-proxy at ``<base_url>proxy/<port>/`` instead.

Model Explorer's web app assumes it is served at the root of its host: ``index.html`` says
``<base href="/">`` (so its scripts load from ``/main-*.js``), its stylesheets load fonts from
``url(/static_files/...)`` and its code fetches ``"/api/v1/..."``, ``"/apipost/v1/..."`` and
``"/apistream/..."``. Behind ``/proxy/<port>/`` those requests miss the prefix and 404;
jupyter-server-proxy's ``/proxy/absolute/<port>/`` form keeps the whole path, which Model
Explorer's routes (at ``/``) do not match either. So the server here serves those few text assets
with their root paths made relative: the same app then works at any path, direct or proxied,
with no knowledge of the prefix. (And without its web fonts from fonts.gstatic.com: the app
makes no request beyond its server.)
"""
from __future__ import annotations

import contextlib
import glob
import io
import json
import mimetypes
import os
import re
import socket
import threading
import time
from urllib.parse import quote

from .errors import NotebookValueError

__all__ = ["ExplorerServer", "app_root", "jupyter_base_url"]

PROXY_SETTINGS = ("auto", "on", "off")
# "/api/v1/x" -> "api/v1/x", url(/static_files/f) -> url(static_files/f): relative to the app root
_ROOT_PATHS = re.compile(rb"""(["'`(])/(api/v1/|apipost/v1/|apistream/|static_files/)""")
_BASE_HREF = re.compile(rb"""<base href=["']/["']\s*/?>""")
# index.html also declares Google Sans faces on fonts.gstatic.com (besides the ones it ships in
# static_files): the browser would fetch them for some scripts; without them it uses its own fonts
_WEB_FONTS = re.compile(rb"""@font-face\{[^{}]*https://fonts\.gstatic\.com/[^{}]*\}|"""
                        rb"""<link rel=["']preconnect["'] href=["']https://fonts\.gstatic\.com["']"""
                        rb"""[^>]*>""")


def relative_asset(body: bytes) -> bytes:
    """One of the web app's html, js or css files with its root-relative paths made relative and
    no font requests to the network."""
    body = _WEB_FONTS.sub(b"", _BASE_HREF.sub(b'<base href="./">', body))
    return _ROOT_PATHS.sub(rb"\1\2", body)


class _RelativeAssets:
    """Serves the web app's top-level html/js/css with relative paths; the rest as Model Explorer
    does (fonts, icons: binary, and referenced only through the rewritten files)."""

    def __init__(self, server_module):
        self.original = server_module._serve_static_asset
        self.directory = server_module.OSS_WEB_APP_DIR
        self.rewritten = {}
        for path in glob.glob(os.path.join(self.directory, "*")):
            if path.endswith((".html", ".js", ".css")):
                with open(path, "rb") as file:
                    self.rewritten[os.path.basename(path)] = relative_asset(file.read())

    def __call__(self, rel_path: str):
        import flask

        body = self.rewritten.get(rel_path)
        if body is None:
            return self.original(rel_path)
        return flask.Response(body, mimetype=mimetypes.guess_type(rel_path)[0])


def _serve_relative_assets(server_module) -> bool:
    """Hook the relative assets into Model Explorer's server; False where its code has no such
    hook (another version than the tested 0.1.34): then only the direct URL works."""
    if isinstance(getattr(server_module, "_serve_static_asset", None), _RelativeAssets):
        return True
    if not (callable(getattr(server_module, "_serve_static_asset", None))
            and os.path.isdir(getattr(server_module, "OSS_WEB_APP_DIR", ""))):
        return False
    server_module._serve_static_asset = _RelativeAssets(server_module)
    return True


def _no_version_check(print_msg=True):
    return {"version": "", "runningVersion": "", "releaseUrl": "", "desktopAppUrl": ""}


def _free_port(host) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def url_name(name) -> str:
    """A name inside Model Explorer's ``graphs://name/index`` source URLs: no separators."""
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in str(name)) or "model"


class ExplorerServer:
    """One Model Explorer server per process, fed by one config that later calls append to."""

    def __init__(self):
        self.config = self.port = None
        self.host = "127.0.0.1"
        self.serves_under_prefix = False  # the web app works behind /proxy/<port>/
        self.lock = threading.Lock()

    def ensure(self, port=None):
        with self.lock:
            if self.port is None:
                self._start(port)
            return self

    def _start(self, port):
        try:
            import model_explorer
            from model_explorer import server
        except ImportError:
            raise NotebookValueError("explore needs Model Explorer: pip install "
                                     "'ov-notebook[explorer]' (ai-edge-model-explorer)") from None
        # the server asks PyPI for a newer version at start and when the page loads: no network
        server._check_new_version = _no_version_check
        self.serves_under_prefix = _serve_relative_assets(server)
        port = port or _free_port(self.host)
        self.config = model_explorer.config()
        output = io.StringIO()
        thread = threading.Thread(target=server.start, daemon=True, name="model-explorer",
                                  kwargs={"host": self.host, "port": port, "config": self.config,
                                          "no_open_in_browser": True})
        with contextlib.redirect_stdout(output):  # its start-up banner would land in a cell
            thread.start()
            deadline = time.monotonic() + 60
            while "Starting Model Explorer server" not in output.getvalue():
                if not thread.is_alive() or time.monotonic() > deadline:
                    raise NotebookValueError(f"explore: Model Explorer's server did not start on "
                                             f"port {port}: {output.getvalue()[-300:]}")
                time.sleep(0.05)
        self.port = port

    def add(self, name, graphs, data) -> str:
        """Add a graph and its node data to the config; the query that opens them (``?data=``)."""
        with self.lock:
            graph_index = len(self.config.graphs_list)
            self.config.graphs_list.append(json.dumps(graphs))
            sources = []
            for overlay, values in data.items():
                sources.append(f"node_data://{url_name(overlay)}/"
                               f"{len(self.config.node_data_list)}")
                self.config.node_data_list.append(json.dumps(values))
        encoded = {"models": [{"url": f"graphs://{url_name(name)}/{graph_index}"}]}
        if sources:
            encoded["nodeData"] = sources
            encoded["nodeDataTargets"] = [url_name(name)] * len(sources)
        return f"?data={quote(json.dumps(encoded))}"


# --- which URL the browser can open ------------------------------------------------------------
def _proxy_installed() -> bool:
    import importlib.util

    return importlib.util.find_spec("jupyter_server_proxy") is not None


def _parent_server_base_url():
    """The base_url of the Jupyter server that started this kernel, from its runtime file."""
    try:
        from jupyter_core.paths import jupyter_runtime_dir
    except ImportError:
        return None
    parents = {os.getppid()}
    with contextlib.suppress(ValueError):
        parents.add(int(os.environ.get("JPY_PARENT_PID", "")))
    for path in glob.glob(os.path.join(jupyter_runtime_dir(), "jpserver-*.json")):
        with contextlib.suppress(OSError, ValueError):
            with open(path, encoding="utf-8") as file:
                info = json.load(file)
            if info.get("pid") in parents:
                return info.get("base_url") or "/"
    return None


def jupyter_base_url(require_proxy: bool = True):
    """Where the browser reaches jupyter-server-proxy, or None where it should go direct.

    JupyterHub (and so Binder) sets ``JUPYTERHUB_SERVICE_PREFIX`` (``/user/<name>/``) in the
    kernel's environment, and there the browser never reaches the kernel's localhost. Under a
    plain Jupyter server (found by the kernel's parent pid among the servers' runtime files)
    the proxy works wherever the browser is, so it is used when jupyter-server-proxy is
    installed (``require_proxy``: it must be importable here, the server's environment as a
    rule); elsewhere (VS Code, a terminal IPython) the browser opens localhost directly.
    """
    prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX")
    if prefix:
        return prefix if prefix.endswith("/") else prefix + "/"
    if require_proxy and not _proxy_installed():
        return None
    return _parent_server_base_url()


def _check_setting(proxy):
    if proxy is None or isinstance(proxy, bool):
        return proxy
    if isinstance(proxy, str) and (proxy in PROXY_SETTINGS or proxy.startswith("/")):
        return {"auto": None, "on": True, "off": False}.get(proxy, proxy)
    raise NotebookValueError(f"explore: proxy must be None or 'auto' (detect), True or 'on' "
                             f"(through jupyter-server-proxy), False or 'off' (the browser opens "
                             f"127.0.0.1 directly) or the Jupyter server's base URL such as "
                             f"'/user/me/'; got {proxy!r}", "proxy")


def app_root(proxy, server) -> str:
    """The URL of the web app's root for the browser: direct, or through jupyter-server-proxy.

    ``proxy``: None/``"auto"`` detects (:func:`jupyter_base_url`); True/``"on"`` requires a
    detected Jupyter server; False/``"off"`` is direct; a string starting with ``/`` is the
    Jupyter server's base URL. A proxied URL is a path on the Jupyter page's own origin.
    """
    proxy = _check_setting(proxy)
    direct = f"http://{server.host}:{server.port}/"
    if proxy is False:
        return direct
    base = proxy if isinstance(proxy, str) else jupyter_base_url(require_proxy=proxy is None)
    if base is None and proxy is True:
        raise NotebookValueError("explore: proxy=True, but this kernel was not started by a "
                                 "Jupyter server this process can find (and "
                                 "JUPYTERHUB_SERVICE_PREFIX is not set); pass the server's base "
                                 "URL instead, e.g. proxy='/user/me/'", "proxy")
    if base is None:
        return direct
    if not server.serves_under_prefix:
        from importlib.metadata import version

        raise NotebookValueError(f"explore: the browser reaches Model Explorer through "
                                 f"jupyter-server-proxy here ({base}proxy/), but "
                                 f"ai-edge-model-explorer {version('ai-edge-model-explorer')} "
                                 "cannot be served under a path prefix by this ov_notebook "
                                 "(tested with 0.1.34: pip install "
                                 "'ai-edge-model-explorer==0.1.34'); or pass proxy=False if "
                                 "the browser runs on this machine", "proxy")
    return f"{base.rstrip('/')}/proxy/{server.port}/"
