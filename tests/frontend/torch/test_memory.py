"""Peak memory of converting resnet50 (random weights, 102 MB of f32): at most about twice the
model's weight bytes on top of the model itself, with weights shared (the default) or copied.

Two measures, both in a fresh subprocess so nothing else in the test session counts:
* the resident set's high-water mark (VmHWM, reset through /proc/self/clear_refs just before
  converting): everything, torch's allocations included;
* tracemalloc's peak: Python objects and numpy arrays (numpy reports its buffers to tracemalloc)
  but not torch's tensors, so it shows what our converter itself allocates.
A tiny conversion through the same route first imports what conversion imports lazily (torch.export
pulls in sympy and dynamo): those modules are a one-time cost, not the conversion's.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

pytest.importorskip("torch")
pytest.importorskip("torchvision")

pytestmark = pytest.mark.slow

LIMIT = 2.0  # peak added by the conversion, in multiples of the model's weight bytes

_SCRIPT = textwrap.dedent("""
    import gc, json, tracemalloc
    import torch, torchvision
    import ov_notebook as ov

    def rss(field):
        for line in open("/proc/self/status"):
            if line.startswith(field):
                return int(line.split()[1]) * 1024

    def resident_peak(convert):
        gc.collect()
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")  # resets VmHWM to the current resident size
        before = rss("VmRSS")
        converted = convert()
        return rss("VmHWM") - before

    def traced_peak(convert):
        gc.collect()
        tracemalloc.start()
        try:
            converted = convert()
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    torch.manual_seed(0)
    model = torchvision.models.resnet50(weights=None).eval()
    x = torch.rand(1, 3, 64, 64)
    weights = sum(t.numel() * t.element_size() for t in model.state_dict().values())
    tiny = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.BatchNorm2d(4)).eval()
    ov.convert_model(tiny, example_input=torch.rand(1, 3, 8, 8))
    result = {"weights": weights}
    for share, label in ((True, "shared"), (False, "copied")):
        convert = lambda: ov.convert_model(model, example_input=x, share_weights=share)
        result[f"resident {label}"] = resident_peak(convert) / weights
        result[f"tracemalloc {label}"] = traced_peak(convert) / weights
    print(json.dumps(result))
""")


def _measure():
    run = subprocess.run([sys.executable, "-c", _SCRIPT], capture_output=True, text=True,
                         timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    return json.loads(run.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(not os.access("/proc/self/clear_refs", os.W_OK),
                    reason="needs Linux /proc/self/clear_refs to reset the resident high-water mark")
def test_resnet50_conversion_peak_memory():
    # one test, one subprocess: under pytest-xdist separate tests could measure twice
    peaks = _measure()
    report = ", ".join(f"{key} {value:.2f}x" for key, value in peaks.items() if key != "weights")
    print(f"resnet50 conversion peaks, in weight bytes ({peaks['weights']}): {report}")
    over = {key: value for key, value in peaks.items() if key != "weights" and value > LIMIT}
    assert not over, f"conversion peak above {LIMIT}x the weight bytes: {report}"
    # shared weights are views of torch's tensors: no weight-sized numpy buffer at all
    assert peaks["tracemalloc shared"] < 0.5, f"shared weights were copied: {report}"
