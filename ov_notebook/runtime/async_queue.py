"""AsyncInferQueue: a pool of infer requests run in background threads, as
``openvino.AsyncInferQueue``."""
from __future__ import annotations

import collections
import numbers
import threading

__all__ = ["AsyncInferQueue"]


class AsyncInferQueue:
    """A pool of ``jobs`` infer requests of one compiled model (0: the compiled model's
    ``OPTIMAL_NUMBER_OF_INFER_REQUESTS``). ``start_async`` runs the next idle request (waiting
    for one when all are busy); the callback set with ``set_callback`` is called as
    ``callback(request, userdata)`` in the request's thread when its inference ends::

        queue = ov.AsyncInferQueue(compiled, 4)
        results = {}
        queue.set_callback(lambda request, index: results.__setitem__(
            index, request.get_output_tensor(0).data.copy()))
        for index, image in enumerate(images):
            queue.start_async(image, userdata=index)
        queue.wait_all()

    An exception in the callback, or an inference that fails after it started, is raised by the
    next ``wait_all``, ``get_idle_request_id``, ``is_ready`` or ``start_async`` (once).
    """

    def __init__(self, model, jobs=0):
        from .core import CompiledModel

        if not isinstance(model, CompiledModel):
            raise TypeError(f"AsyncInferQueue needs a CompiledModel, got {type(model).__name__}")
        if isinstance(jobs, bool) or not isinstance(jobs, numbers.Integral) or jobs < 0:
            raise ValueError(f"AsyncInferQueue's jobs is a number of requests (0: the optimal "
                             f"number), got {jobs!r}")
        jobs = int(jobs) or int(model.get_property("OPTIMAL_NUMBER_OF_INFER_REQUESTS"))
        self._requests = [model.create_infer_request() for _ in range(jobs)]
        self._userdata = [None] * jobs
        self._idle = collections.deque(range(jobs))
        self._condition = threading.Condition()
        self._errors = collections.deque()
        self._callback = None
        for handle, request in enumerate(self._requests):
            request.set_callback(self._finished, handle)

    def _finished(self, handle: int) -> None:
        """Runs in request ``handle``'s thread when its inference has ended."""
        request = self._requests[handle]
        error, request._error = request._error, None  # reported by the queue, not request.wait()
        if error is None and self._callback is not None:
            try:
                self._callback(request, self._userdata[handle])
            except Exception as exc:  # noqa: BLE001  raised in the caller's thread by wait_all
                error = exc
        with self._condition:
            if error is not None:
                self._errors.append(error)
            self._idle.append(handle)
            self._condition.notify_all()

    def _raise_pending_error(self) -> None:
        """Called with the condition held."""
        if self._errors:
            raise self._errors.popleft()

    def set_callback(self, callback) -> None:
        """``callback(request, userdata)`` is called when each inference of the pool ends."""
        if not callable(callback):
            raise TypeError(f"set_callback needs a callable, called as callback(request, "
                            f"userdata); got {type(callback).__name__}")
        self._callback = callback

    def start_async(self, inputs=None, userdata=None, share_inputs=False) -> None:
        """Run ``inputs`` (as for ``InferRequest.start_async``) on the next idle request, waiting
        for one if all are busy; ``userdata`` is passed to the callback. Bad inputs raise here."""
        with self._condition:  # wait for and take an idle request in one step: thread-safe
            self._condition.wait_for(lambda: self._idle or self._errors)
            self._raise_pending_error()
            handle = self._idle.popleft()
            self._userdata[handle] = userdata
        try:
            self._requests[handle].start_async(inputs, share_inputs=share_inputs)
        except BaseException:
            with self._condition:  # it never started: the request is idle again
                self._idle.appendleft(handle)
                self._condition.notify_all()
            raise

    def get_idle_request_id(self) -> int:
        """The id of an idle request, waiting until one is idle."""
        with self._condition:
            self._condition.wait_for(lambda: self._idle or self._errors)
            self._raise_pending_error()
            return self._idle[0]

    def is_ready(self) -> bool:
        """Whether a request is idle (``start_async`` would not wait); does not block."""
        with self._condition:
            self._raise_pending_error()
            return bool(self._idle)

    def wait_all(self) -> None:
        """Wait until every request of the pool is idle."""
        with self._condition:
            self._condition.wait_for(lambda: len(self._idle) == len(self._requests))
            self._raise_pending_error()
        for request in self._requests:  # their threads end right after the callback
            request.wait()

    @property
    def userdata(self) -> list:
        """The userdata last given to each request of the pool (None where none was)."""
        return list(self._userdata)

    def __getitem__(self, index):
        if isinstance(index, bool) or not isinstance(index, numbers.Integral):
            raise TypeError(f"AsyncInferQueue is indexed by request id (int), got {index!r}")
        if not 0 <= index < len(self._requests):
            raise IndexError(f"the queue has {len(self._requests)} requests; id {index} is out of "
                             f"range")
        return self._requests[index]

    def __iter__(self):
        return iter(list(self._requests))

    def __len__(self) -> int:
        return len(self._requests)

    def __repr__(self):
        return f"<AsyncInferQueue: {len(self._requests)} requests>"
