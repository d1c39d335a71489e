"""The torchvision classification zoo through the PyTorch frontend: each model (random weights,
batch norms calibrated) converted with ov_notebook, run on our runtime and compared with torch;
real OpenVINO converts the same model in the same run (its conversion time is the peer) and runs
the IR we saved. Prints a pass table.

    python benchmarks/zoo.py                                  # every classifier, 128 px inputs
    python benchmarks/zoo.py --models resnet18 vit_b_16 --size 64 --no-openvino
    python benchmarks/zoo.py --models resnet --routes export jit.trace   # names containing "resnet"
    python benchmarks/zoo.py --suite extended        # detection, optical flow, video, transformers,
                                                     # timm, diffusers (see _models.EXTENDED)
    python benchmarks/zoo.py --suite classification  # the classifiers alone (default: both suites)

A result is PASS when the largest error is at most 1e-3 of the torch output's largest magnitude
and the top-1 class is torch's (on our runtime, and on OpenVINO reading our IR); TRIVIAL when
the torch output hardly depends on the input, so a comparison would prove nothing.

The extended suite converts each model with its example call (torch.export route, falling back as
convert_model does), runs it through ``infer_structured`` and compares every output leaf in torch's
own structure (lists of dicts for detectors, model-output dataclasses, caches): floats within 1e-3
of the leaf's largest magnitude, integers (labels) exact, shapes exact; on our runtime and on
OpenVINO reading our IR. OpenVINO's own converter is tried on the same model in the same run.
A family whose package is absent (timm, diffusers: ``pip install ov-notebook[zoo]``) is SKIPPED.
"""
from __future__ import annotations

import argparse
import copy
import gc
import os
import sys
import tempfile
import time
import traceback

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import _models  # noqa: E402

TOLERANCE = 1e-3
ROUTES = ("export", "jit.trace")
COLUMNS = ("model", "route", "result", "max rel err", "OV on our IR", "top-1", "ours s",
           "OpenVINO s", "ratio", "ours CPU s", "OpenVINO CPU s")


def relative_error(got, expected) -> float:
    scale = max(float(np.abs(expected).max()), 1e-6)
    return float(np.abs(np.asarray(got) - expected).max()) / scale


def timed(function, *args):
    """``(result, wall seconds, CPU seconds of this process)``: the machine may be shared, and
    CPU time shows the work done whatever else runs beside it."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = function(*args)
    return result, time.perf_counter() - wall, time.process_time() - cpu


def convert_ours(model, x, route):
    import torch

    import ov_notebook as ov

    if route == "jit.trace":
        with torch.no_grad():
            return ov.convert_model(torch.jit.trace(model, x))
    return ov.convert_model(model, example_input=x)


def convert_openvino(model, x):
    """OpenVINO's own conversion of the same model: ``(wall s, CPU s, note)``. Its TorchScript
    tracing fails on some models with this torch (ViT: "Graphs differed across invocations");
    it then converts torch.export's program, the export timed with it."""
    import openvino
    import torch

    def through_export():
        return openvino.convert_model(torch.export.export(model, (x,)))

    for note, convert in (("", lambda: openvino.convert_model(model, example_input=x)),
                          (" (export)", through_export)):
        try:
            _, wall, cpu = timed(convert)
            return wall, cpu, note
        except Exception:  # noqa: BLE001  OpenVINO's failure is reported, ours still counts
            gc.collect()
    return None, None, " failed"


def run_openvino_on_ours(converted, x, directory):
    """Real OpenVINO (CPU, f32) reading the IR we save."""
    import openvino

    import ov_notebook as ov

    path = os.path.join(directory, "model.xml")
    ov.save_model(converted, path, compress_to_fp16=False)
    compiled = openvino.Core().compile_model(path, "CPU", {"INFERENCE_PRECISION_HINT": "f32"})
    return np.asarray(compiled([x])[0])


def torch_reference(model, x):
    """``(output, trivial)``: trivial when another input gives nearly the same output."""
    import torch

    with torch.no_grad():
        expected = model(x).numpy()
        other = model(torch.rand(x.shape, generator=torch.Generator().manual_seed(7))).numpy()
    return expected, relative_error(other, expected) < TOLERANCE


def run_case(name, route, size, with_openvino, directory):
    import ov_notebook as ov

    model, (x,) = _models.torchvision_case(name, size)
    expected, trivial = torch_reference(model, x)
    converted, ours_s, ours_cpu = timed(convert_ours, model, x, route)
    taken = converted.rt_info["ov_notebook"]["route"]
    row = {"route": f"{route}->{taken}" if route != "export" or taken != "export" else route,
           "ours_s": ours_s, "ours_cpu": ours_cpu}
    outputs = {"ours": ov.compile_model(converted)(x.numpy())[0]}
    if with_openvino:
        outputs["OpenVINO"] = run_openvino_on_ours(converted, x.numpy(), directory)
        del converted
        gc.collect()
        row["ov_s"], row["ov_cpu"], row["ov_note"] = convert_openvino(model, x)
    row["err"] = relative_error(outputs["ours"], expected)
    row["ov_err"] = relative_error(outputs["OpenVINO"], expected) if with_openvino else None
    row["top1"] = all(np.argmax(got) == np.argmax(expected) for got in outputs.values())
    row["result"] = ("TRIVIAL" if trivial else
                     verdict(model, x, expected, outputs, row["top1"]))
    return row


def verdict(model, x, expected, outputs, top1):
    if top1 and all(relative_error(got, expected) <= TOLERANCE for got in outputs.values()):
        return "PASS"
    return "FAIL" + float64_diagnosis(model, x, expected, outputs)


def float64_diagnosis(model, x, expected, outputs) -> str:
    """Whether torch's own f32 result is as far from the exact (float64) one as ours: then the
    difference is f32 rounding that a deep random-weight model amplifies, not a conversion
    error."""
    import torch

    with torch.no_grad():
        exact = copy.deepcopy(model).double()(x.double()).numpy()
    noise = relative_error(expected, exact)
    distances = {label: relative_error(got, exact) for label, got in outputs.items()}
    if max(distances.values()) > 2 * noise:
        return ""
    return (f" (f32 rounding: from the f64 result torch is {noise:.1e}, " +
            ", ".join(f"{label} {d:.1e}" for label, d in distances.items()) + ")")


def format_row(name, row):
    def number(value, spec):
        return "-" if value is None else format(value, spec)

    ratio = (row["ours_s"] / row["ov_s"]) if row.get("ov_s") else None
    return (name, row["route"], row["result"], number(row.get("err"), ".1e"),
            number(row.get("ov_err"), ".1e"), {True: "yes", False: "NO"}.get(row.get("top1"), "-"),
            number(row.get("ours_s"), ".2f"), openvino_time(row), number(ratio, ".2f"),
            number(row.get("ours_cpu"), ".2f"), number(row.get("ov_cpu"), ".2f"))


def openvino_time(row) -> str:
    if row.get("ov_s") is None:
        return row.get("ov_note", "-").strip()
    return f"{row['ov_s']:.2f}{row['ov_note']}"


def error_row(route, exc):
    lines = [line for line in str(exc).strip().splitlines() if line.strip()]
    message = f"{type(exc).__name__}: {lines[0][:160] if lines else ''}"
    return {"route": route, "result": f"ERROR {message}"}


def warm_up(with_openvino):
    """Imports and one-time setup (translator tables, torch.export's first trace) outside the
    timed conversions, for both converters alike."""
    import torch

    import ov_notebook as ov

    tiny = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.ReLU()).eval()
    ov.convert_model(tiny, example_input=torch.rand(1, 3, 8, 8))
    if with_openvino:
        convert_openvino(tiny, torch.rand(1, 3, 8, 8))


def select_models(patterns):
    import torchvision

    every = torchvision.models.list_models(module=torchvision.models)
    if not patterns:
        return every
    chosen = [name for name in every if any(p == name for p in patterns)]
    return chosen or [name for name in every if any(p in name for p in patterns)]


# --- the extended suite ----------------------------------------------------------------------
EXTENDED_COLUMNS = ("model", "family", "result", "leaves", "max rel err", "OV on our IR",
                    "ours s", "OpenVINO converter", "OpenVINO s")


def output_leaves(value, path="out"):
    """``[(path, array)]`` of a model's output in its own structure: tensors and arrays in
    dicts (model-output dataclasses are dicts), lists and tuples; a cache object as its
    ``(key, value)`` pairs per layer, as ``infer_structured`` returns it. None is left out."""
    if value is None:
        return []
    if hasattr(value, "detach"):
        return [(path, value.detach().numpy())]
    if isinstance(value, np.ndarray | np.generic):
        return [(path, np.asarray(value))]
    if isinstance(value, dict):
        return [leaf for key, item in value.items() for leaf in output_leaves(item, f"{path}.{key}")]
    if isinstance(value, list | tuple):
        return [leaf for i, item in enumerate(value) for leaf in output_leaves(item, f"{path}[{i}]")]
    if hasattr(value, "layers"):  # a transformers cache
        return output_leaves([(layer.keys, layer.values) for layer in value.layers], path)
    raise TypeError(f"{path}: cannot compare an output of type {type(value).__name__}")


def compare_leaves(got, expected) -> tuple[float | None, str]:
    """``(largest relative error, problem)``: problem is "" when every leaf matches in count,
    shape and dtype kind, integer leaves exactly, float leaves within TOLERANCE."""
    if len(got) != len(expected):
        return None, f"{len(got)} output leaves, torch has {len(expected)}"
    worst, worst_path = 0.0, ""
    for (_, ours), (path, reference) in zip(got, expected):
        if ours.shape != reference.shape:
            return None, f"{path}: shape {ours.shape}, torch {reference.shape}"
        if reference.size == 0:
            continue
        if reference.dtype.kind in "iub":
            if not np.array_equal(ours, reference):
                return None, f"{path}: {int((ours != reference).sum())} integers differ"
            continue
        error = relative_error(ours.astype(np.float64), reference.astype(np.float64))
        if error > worst:
            worst, worst_path = error, path
    if worst <= TOLERANCE:
        return worst, ""
    problem = f"{worst_path}: rel err {worst:.1e} > {TOLERANCE}"
    if worst_path.endswith((".masks", ".keypoints", ".keypoints_scores")):
        ours = dict(got)[worst_path] if worst_path in dict(got) else None
        reference = dict(expected)[worst_path]
        if ours is not None and len(reference):
            per = np.abs(ours - reference).reshape(len(reference), -1).max(1)
            scale = max(float(np.abs(reference).max()), 1e-6)
            problem += f" in {int((per > TOLERANCE * scale).sum())} of {len(reference)} detections"
    return worst, problem


def detection_dicts(value):
    """The detector outputs of a model output: ``[{"boxes", "scores", "labels", ...}]`` or []."""
    if (isinstance(value, list) and value and
            all(isinstance(d, dict) and {"boxes", "scores", "labels"} <= set(d) for d in value)):
        return value
    return []


def match_detections(got, expected) -> tuple[float | None, str]:
    """Detections compared as a set: with random weights many scores nearly tie, and a sort may
    order near-equal scores either way. Each torch detection must find its own detection in
    ours with the same label and every other field (box, score, mask, keypoints) within
    TOLERANCE; ``(largest relative error, problem)``."""
    worst = 0.0
    for index, (ours, reference) in enumerate(zip(got, expected)):
        keys = [k for k in reference if np.asarray(reference[k]).size or k in ("boxes",)]
        ref = {k: np.asarray(numpy_leaves(reference[k])) for k in keys}
        our = {k: np.asarray(ours[k]) for k in keys}
        if len(our["labels"]) != len(ref["labels"]):
            return None, f"out[{index}]: {len(our['labels'])} detections, torch has " \
                         f"{len(ref['labels'])}"
        scales = {k: max(float(np.abs(v).max()), 1e-6) if v.size else 1.0
                  for k, v in ref.items() if v.dtype.kind == "f"}
        free, unmatched = list(range(len(our["labels"]))), []
        for i in range(len(ref["labels"])):
            best, best_error = None, None
            for j in free:
                if our["labels"][j] != ref["labels"][i]:
                    continue
                error = max(float(np.abs(our[k][j] - ref[k][i]).max()) / scales[k]
                            for k in scales)
                if best_error is None or error < best_error:
                    best, best_error = j, error
            if best is None or best_error > TOLERANCE:
                unmatched.append(i)
                continue
            free.remove(best)
            worst = max(worst, best_error)
        # at a detections-per-image cut-off, candidates whose scores tie the last kept one
        # within f32 noise may take its place: allowed there alone
        cut = float(ref["scores"].min()) if ref["scores"].size else 0.0
        margin = TOLERANCE * scales["scores"]
        for i in unmatched:
            if abs(float(ref["scores"][i]) - cut) > margin or not free or \
                    abs(float(our["scores"][free.pop()]) - cut) > margin:
                return None, (f"out[{index}]: torch detection {i} (label {ref['labels'][i]}, "
                              f"score {ref['scores'][i]:.4g}) has no match in ours")
    return worst, ""


def compare_outputs(got, expected) -> tuple[float | None, str]:
    """:func:`compare_leaves` on two output structures; detector outputs whose order alone
    differs (near-tied scores) are then matched as sets, and say so."""
    error, problem = compare_leaves(output_leaves(got), output_leaves(expected))
    if problem and detection_dicts(expected) and len(detection_dicts(got)) == len(expected):
        error, second = match_detections(got, expected)
        note = "" if second else "detections matched as a set: near-tied scores ordered otherwise"
        return error, second, note
    return error, problem, ""


def numpy_leaves(value):
    if hasattr(value, "detach"):
        return value.detach().numpy()
    return value


def run_openvino_structured(converted, args, kwargs, directory):
    """Real OpenVINO (CPU, f32) reading the IR we save, called with the original arguments
    flattened as our model flattens them; its outputs put back into the original structure."""
    import openvino

    import ov_notebook as ov
    from ov_notebook.ir import structure
    from ov_notebook.runtime.structure import model_trees

    path = os.path.join(directory, "model.xml")
    ov.save_model(converted, path, compress_to_fp16=False)
    compiled = openvino.Core().compile_model(path, "CPU", {"INFERENCE_PRECISION_HINT": "f32"})
    input_tree, output_tree = model_trees(converted)
    leaves = [np.asarray(numpy_leaves(leaf))
              for leaf in structure.flatten_call(input_tree, args, kwargs)]
    results = compiled(leaves)
    return structure.unflatten(output_tree, [np.asarray(results[i]) for i in range(len(results))])


def example_of(args, kwargs):
    return kwargs if kwargs else args


def convert_openvino_extended(model, args, kwargs):
    """OpenVINO's own converter on the same model and example: ``(wall s, note)``."""
    import openvino

    try:
        _, wall, _ = timed(lambda: openvino.convert_model(
            copy.deepcopy(model), example_input=copy.deepcopy(example_of(args, kwargs))))
        return wall, "converted"
    except Exception as exc:  # noqa: BLE001  OpenVINO's failure is reported, ours still counts
        lines = [line for line in str(exc).strip().splitlines() if line.strip()]
        hint = next((line for line in lines if "aten::" in line or "No conversion" in line),
                    lines[0] if lines else "")
        return None, f"FAILED {type(exc).__name__}: {hint.strip()[:90]}"


def run_extended_case(name, with_openvino, directory):
    import torch

    import ov_notebook as ov

    model, args, kwargs = _models.extended_case(name)
    with torch.no_grad():
        reference = model(*copy.deepcopy(args), **copy.deepcopy(kwargs))
    expected = output_leaves(reference)
    converted, ours_s, _ = timed(lambda: ov.convert_model(
        model, example_input=copy.deepcopy(example_of(args, kwargs))))
    row = {"ours_s": ours_s,
           "leaves": f"{len(expected)} ({sum(leaf.size for _, leaf in expected)} values)"}
    compiled = ov.compile_model(converted)
    ours = compiled.infer_structured(*copy.deepcopy(args), **copy.deepcopy(kwargs))
    row["err"], problem, note = compare_outputs(ours, reference)
    problems = [f"ours: {problem}"] if problem else []
    notes = {note} if note else set()
    if with_openvino:
        theirs = run_openvino_structured(converted, copy.deepcopy(args), copy.deepcopy(kwargs),
                                         directory)
        row["ov_err"], problem, note = compare_outputs(theirs, reference)
        if problem:
            problems.append(f"OV on our IR: {problem}")
        notes |= {note} if note else set()
        del converted, compiled
        gc.collect()
        row["ov_s"], row["ov_note"] = convert_openvino_extended(model, args, kwargs)
    trivial = all(leaf.size == 0 for _, leaf in expected)
    row["result"] = ("TRIVIAL (every output empty)" if trivial and not problems else
                     "FAIL " + "; ".join(problems) if problems else
                     "PASS" + "".join(f" ({n})" for n in sorted(notes)))
    return row


def format_extended_row(name, row):
    def number(value, spec):
        return "-" if value is None else format(value, spec)

    return (name, _models.EXTENDED[name], row["result"], row.get("leaves", "-"),
            number(row.get("err"), ".1e"), number(row.get("ov_err"), ".1e"),
            number(row.get("ours_s"), ".2f"), row.get("ov_note", "-"),
            number(row.get("ov_s"), ".2f"))


def missing_package(name):
    import importlib.util

    package = _models.FAMILY_PACKAGE[_models.EXTENDED[name]]
    return None if importlib.util.find_spec(package) else package


def run_extended(patterns, with_openvino):
    names = [n for n in _models.EXTENDED if not patterns or n in patterns]
    if not names:  # no exact name: names containing a pattern
        names = [n for n in _models.EXTENDED if any(p in n for p in patterns)]
    if not names:  # --models named only classifiers
        return True
    rows = []
    with tempfile.TemporaryDirectory() as directory:
        for name in names:
            absent = missing_package(name)
            if absent:
                row = {"result": f"SKIPPED ({absent} is not installed: "
                                 "pip install 'ov-notebook[zoo]')"}
            else:
                try:
                    row = run_extended_case(name, with_openvino, directory)
                except Exception as exc:  # noqa: BLE001  report and go on with the next model
                    row = error_row("export", exc)
                    if os.environ.get("ZOO_TRACEBACK"):
                        traceback.print_exc()
            rows.append(format_extended_row(name, row))
            print(" | ".join(rows[-1]), flush=True)
            gc.collect()
    passed = sum(row[2].startswith("PASS") for row in rows)
    print(f"\nextended: {passed}/{len(rows)} PASS\n")
    print("| " + " | ".join(EXTENDED_COLUMNS) + " |")
    print("|" + "---|" * len(EXTENDED_COLUMNS))
    for row in rows:
        print("| " + " | ".join(row) + " |")
    return all(row[2].startswith(("PASS", "SKIPPED")) for row in rows)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="*", help="names (exact) or substrings; default: all")
    parser.add_argument("--size", type=int, help="input side (models with a fixed size keep it)")
    parser.add_argument("--routes", nargs="*", default=["export"], choices=ROUTES)
    parser.add_argument("--no-openvino", action="store_true", help="skip OpenVINO entirely")
    parser.add_argument("--suite", choices=("classification", "extended", "all"), default="all",
                        help="the torchvision classifiers, the extended suite, or both")
    args = parser.parse_args(argv)
    with_openvino = not args.no_openvino
    warm_up(with_openvino)
    ok = True
    if args.suite in ("classification", "all"):
        ok = run_classification(args, with_openvino)
    if args.suite in ("extended", "all"):
        ok = run_extended(args.models, with_openvino) and ok
    return 0 if ok else 1


def run_classification(args, with_openvino):
    names = select_models(args.models)
    if not names:  # --models named only extended-suite models
        return True
    rows = []
    with tempfile.TemporaryDirectory() as directory:
        for name in names:
            for route in args.routes:
                try:
                    row = run_case(name, route, args.size, with_openvino, directory)
                except Exception as exc:  # noqa: BLE001  report and go on with the next model
                    row = error_row(route, exc)
                    if os.environ.get("ZOO_TRACEBACK"):
                        traceback.print_exc()
                rows.append(format_row(name, row))
                print(" | ".join(rows[-1]), flush=True)
                gc.collect()
    print_table(rows)
    return all(row[2] == "PASS" for row in rows)


def print_table(rows):
    passed = sum(row[2] == "PASS" for row in rows)
    print(f"\n{passed}/{len(rows)} PASS\n")
    print("| " + " | ".join(COLUMNS) + " |")
    print("|" + "---|" * len(COLUMNS))
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    sys.exit(main())
