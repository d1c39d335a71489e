"""Version objects, as ``openvino.Version`` and ``openvino.get_version()``."""
from __future__ import annotations

__all__ = ["Version", "get_version", "device_versions"]

DEVICE_DESCRIPTION = "ov_notebook_cpu_numpy"  # OpenVINO: "openvino_intel_cpu_plugin"


def get_version() -> str:
    """The runtime's build number (ov_notebook's version), as ``openvino.get_version()``."""
    from .. import __version__

    return __version__


class Version:
    """A component's version: ``major``, ``minor``, ``patch`` (ints), ``build_number`` and
    ``description`` (strs), as ``openvino.Version`` in ``Core().get_versions("CPU")``."""

    __slots__ = ("major", "minor", "patch", "build_number", "description")

    def __init__(self, build_number: str, description: str):
        numbers = [int(part) if part.isdigit() else 0
                   for part in build_number.split("-")[0].split(".")[:3]]
        self.major, self.minor, self.patch = (numbers + [0, 0, 0])[:3]
        self.build_number = build_number
        self.description = description

    def __eq__(self, other):
        return isinstance(other, Version) and \
            (self.build_number, self.description) == (other.build_number, other.description)

    def __hash__(self):
        return hash((self.build_number, self.description))

    def __repr__(self):
        return f"<Version: {self.build_number} {self.description}>"


def device_versions(device_name) -> dict:
    """``{device: Version}`` for the devices named in ``device_name`` ("CPU", "AUTO:CPU",
    "CPU,GPU"); devices this runtime does not have are left out, as OpenVINO leaves out devices
    without a plugin."""
    if not isinstance(device_name, str):
        raise TypeError(f"get_versions takes a device name (str), got {type(device_name).__name__}")
    names = device_name.replace(":", ",").split(",")
    return {name: Version(get_version(), DEVICE_DESCRIPTION)
            for name in dict.fromkeys(n.strip().upper() for n in names) if name == "CPU"}
