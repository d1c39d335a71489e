"""libgomp's idle-wait policy, set before anything loads libgomp (see runtime/onednn/__init__.py).

libgomp reads ``OMP_WAIT_POLICY``/``GOMP_SPINCOUNT`` once, when it loads (torch, numba and
libdnnl all bring it), and its default spins idle workers for 300000 iterations after every
parallel region: on a machine busier than its cores that costs the oneDNN backend 10x. Unless
the user set either variable, ``import ov_notebook`` before libgomp loads shortens the spin.
"""
from __future__ import annotations

import os

SPIN_COUNT = "1000"


def libgomp_loaded() -> bool:
    try:
        with open("/proc/self/maps") as maps:
            return "libgomp" in maps.read()
    except OSError:
        return True  # cannot tell (not Linux): leave the environment alone


def prefer_short_spin() -> bool:
    """Set GOMP_SPINCOUNT when nothing decided the policy yet; whether it did."""
    if "OMP_WAIT_POLICY" in os.environ or "GOMP_SPINCOUNT" in os.environ or libgomp_loaded():
        return False
    os.environ["GOMP_SPINCOUNT"] = SPIN_COUNT
    return True


prefer_short_spin()
