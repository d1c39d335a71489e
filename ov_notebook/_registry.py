"""The one registry type: ops, kernels and the frontends' translators are each a :class:`Registry`.

Entries are registered where they are defined (usually with a decorator) and a registry fills
itself lazily: its ``loader`` imports the modules that define the entries the first time anything
is looked up. Pure Python, so every layer (``ov_notebook.ir`` included) can use it.
"""
from __future__ import annotations

import importlib
import pkgutil

__all__ = ["Registry", "import_submodules"]

_MISSING = object()


def import_submodules(package) -> list:
    """Import every module of ``package`` (a module or its dotted name) whose name does not start
    with ``_``, in name order."""
    if isinstance(package, str):
        package = importlib.import_module(package)
    return [importlib.import_module(f"{package.__name__}.{module.name}")
            for module in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name)
            if not module.name.startswith("_")]


def definition_name(value) -> str:
    """Where ``value`` was defined: ``module.qualname`` of a function or class, else its repr."""
    qualname = getattr(value, "__qualname__", None)
    if isinstance(qualname, str):
        return f"{getattr(value, '__module__', '?')}.{qualname}"
    return repr(value)


class Registry:
    """A table ``key -> value`` whose entries are registered where they are defined.

    ``what`` names the entries in messages ("kernel", "torch translator"); ``loader`` (optional)
    imports the modules that register the entries and runs once, on the first lookup.
    ``versioned=True`` registries have ``(name, version)`` keys and answer :meth:`versions`.
    ``key_text`` formats a key for messages (default: ``str``, tuples joined by spaces).

    >>> KERNELS = Registry("kernel")
    >>> @KERNELS.decorator("Relu")
    ... def relu(x):
    ...     return x * (x > 0)
    >>> KERNELS.get("Relu") is relu, "Relu" in KERNELS, len(KERNELS)
    (True, True, 1)
    >>> KERNELS.register("Relu", abs)
    Traceback (most recent call last):
    ValueError: kernel Relu is registered twice (ov_notebook._registry.relu and builtins.abs)
    """

    def __init__(self, what: str, loader=None, *, versioned: bool = False, key_text=None):
        self.what = what
        self._loader = loader
        self._versioned = versioned
        self._key_text = key_text
        self._entries: dict = {}
        self._origins: dict = {}  # key -> module.qualname of the definition, for duplicate errors
        self._by_name: dict = {}  # versioned: name -> {version: value}

    def __repr__(self):
        return f"<Registry of {len(self._entries)} {self.what} entries>"

    # --- registration ---------------------------------------------------------------------
    def register(self, key, value, *, origin=None):
        """Add ``value`` under ``key`` and return it; a key registered before raises ValueError
        naming both definitions (``origin`` overrides where ``value`` says it was defined)."""
        if self._versioned and not (isinstance(key, tuple) and len(key) == 2):
            raise TypeError(f"{self.what} keys are (name, version) pairs, got {key!r}")
        origin = origin or definition_name(value)
        if key in self._entries:
            raise ValueError(f"{self.what} {self.key_text(key)} is registered twice "
                             f"({self._origins[key]} and {origin})")
        self._store(key, value, origin)
        return value

    def decorator(self, *keys, wrap=None):
        """A decorator registering the decorated object under each of ``keys``; the stored value
        is ``wrap(key, obj)`` when ``wrap`` is given, else ``obj``. Returns ``obj`` unchanged."""

        def register(obj):
            origin = definition_name(obj)
            for key in keys:
                self.register(key, obj if wrap is None else wrap(key, obj), origin=origin)
            return obj

        return register

    def _store(self, key, value, origin):
        self._entries[key] = value
        self._origins[key] = origin
        if self._versioned:
            self._by_name.setdefault(key[0], {})[key[1]] = value

    # Replacing and removing entries skips the duplicate check: it exists for tests that swap
    # one entry for the length of a test (pytest's ``monkeypatch.setitem(registry, key, value)``).
    def __setitem__(self, key, value):
        self._store(key, value, definition_name(value))

    def __delitem__(self, key):
        del self._entries[key]
        del self._origins[key]
        if self._versioned:
            versions = self._by_name[key[0]]
            del versions[key[1]]
            if not versions:
                del self._by_name[key[0]]

    # --- lookup (each runs the loader first) --------------------------------------------------
    def load(self) -> None:
        """Run the loader now, if it has not run (later calls, and calls during it, do nothing)."""
        loader, self._loader = self._loader, None
        if loader is not None:
            loader()

    def get(self, key, default=None):
        """The value registered for ``key``, or ``default``."""
        self.load()
        return self._entries.get(key, default)

    def __getitem__(self, key):
        self.load()
        try:
            return self._entries[key]
        except KeyError:
            raise KeyError(f"no {self.what} is registered for {self.key_text(key)} "
                           f"({len(self._entries)} are)") from None

    def find(self, keys, default=None):
        """The value of the first of ``keys`` (an iterable, in order of preference) registered."""
        self.load()
        for key in keys:
            if key in self._entries:
                return self._entries[key]
        return default

    def versions(self, name) -> dict:
        """``{version: value}`` registered for ``name`` in a versioned registry (empty if none)."""
        self.load()
        return dict(self._by_name.get(name, {}))

    def names(self) -> list:
        """The names of a versioned registry's keys, sorted."""
        self.load()
        return sorted(self._by_name)

    def origin(self, key) -> str:
        """``module.qualname`` of the definition registered for ``key``."""
        self.load()
        return self._origins[key]

    def __contains__(self, key):
        self.load()
        return key in self._entries

    def __iter__(self):
        self.load()
        return iter(list(self._entries))

    def __len__(self):
        self.load()
        return len(self._entries)

    def keys(self) -> list:
        self.load()
        return list(self._entries)

    def values(self) -> list:
        self.load()
        return list(self._entries.values())

    def items(self) -> list:
        self.load()
        return list(self._entries.items())

    def key_text(self, key) -> str:
        if self._key_text is not None:
            return self._key_text(key)
        return " ".join(map(str, key)) if isinstance(key, tuple) else str(key)
