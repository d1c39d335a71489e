"""libgomp's idle-wait policy, set before anything loads libgomp (see runtime/onednn/__init__.py).

libgomp reads ``OMP_WAIT_POLICY``/``GOMP_SPINCOUNT`` once, when it loads (torch, numba and
libdnnl all bring it), and its default spins idle workers for 300000 iterations after every
parallel region: on a machine busier than its cores that costs the oneDNN backend 10x. Unless
the user set either variable, ``import ov_notebook`` before libgomp loads shortens the spin.

How short: the workers must still be spinning when the next primitive starts (between two oneDNN
calls the runtime spends 10-20 us of Python), or every call pays a futex wake-up. Measured here
(mobilenet_v3_large, batch 1, 2 threads, median ms; 2 cores, quiet / with 6 busy processes):

    GOMP_SPINCOUNT    1000   10000   30000   300000 (libgomp's default)
    quiet              9.7     5.2     4.9      4.7   (1 thread: 6.7)
    loaded              35      50     105      154   (1 thread: 28)

10000 keeps 2 threads faster than 1 on a quiet machine (1000 made them 1.45x slower than one
thread, as ``OMP_WAIT_POLICY=PASSIVE`` does) and bounds the loss on an oversubscribed one.
"""
from __future__ import annotations

import os

SPIN_COUNT = "10000"


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
