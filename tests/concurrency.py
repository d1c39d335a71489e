"""Requests of one compiled model run side by side, one thread each, released together."""
from __future__ import annotations

import threading


def outputs_in_threads(compiled, feeds_per_thread, repeats=1):
    """Each thread makes its own infer request and runs its list of feeds ``repeats`` times in
    order; returns each thread's list of first outputs (copies), and raises the first error a
    thread met."""
    start = threading.Barrier(len(feeds_per_thread))
    got, errors = [[] for _ in feeds_per_thread], []

    def work(index):
        request = compiled.create_infer_request()
        start.wait()
        try:
            for _ in range(repeats):
                got[index].extend(request.infer(f)[0].copy() for f in feeds_per_thread[index])
        except Exception as exc:  # noqa: BLE001  raised by the calling thread
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(feeds_per_thread))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return got
