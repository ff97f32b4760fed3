"""Symbolic work that may run away, done in worker processes that can be killed.

* :mod:`core.sandbox.pool` -- :class:`Sandbox`, the pool of warm workers (time limits,
  cancellation, a killed worker replaced), and :func:`get_sandbox`, the process-wide one;
* :mod:`core.sandbox.line` -- who waits and who runs: per-owner caps, first come first
  served, a rate limit on heavy work, the wait a caller is told;
* :mod:`core.sandbox.ops` -- :data:`OPS`, the operations a worker performs, by kind in
  ``algebra_ops``, ``derivative_ops`` and ``analysis_ops`` (their shared reading of a
  formula and shaping of a result: :mod:`core.sandbox.formula`);
* :mod:`core.sandbox.worker` -- the worker's main loop, its memory limit
  (``RLIMIT_AS``) and the length-prefixed pickle protocol;
* :mod:`core.sandbox.errors` -- :class:`SandboxError` and its kinds.

``python -m core.sandbox MB`` runs one worker (:mod:`core.sandbox.__main__`);
the pool starts its workers that way.

>>> from core.sandbox import get_sandbox
>>> get_sandbox().run("expand", "(x+1)^2")["text"]
'x**2 + 2*x + 1'
"""

from __future__ import annotations

from .errors import (
                     SandboxBusy,
                     SandboxCancelled,
                     SandboxError,
                     SandboxMemoryError,
                     SandboxRateLimited,
                     SandboxSessionLimit,
                     SandboxTimeout,
)
from .ops import MAX_CURVE_POINTS, MAX_DIFF_ORDER, MAX_LATEX_OPS, MAX_RESULT_CHARS, OPS
from .pool import (
                     DEFAULT_TIMEOUT,
                     HEAVY_S,
                     MAX_TIMEOUT,
                     PER_OWNER,
                     RATE_PER_MIN,
                     WAIT_REPORT_S,
                     Sandbox,
                     default_workers,
                     get_sandbox,
)
from .worker import CANCEL_POLL_S, DEFAULT_MEMORY_MB, MIN_HEADROOM_MB, STARTUP_TIMEOUT

__all__ = [
    "Sandbox", "SandboxError", "SandboxTimeout", "SandboxMemoryError", "SandboxBusy",
    "SandboxSessionLimit", "SandboxRateLimited", "SandboxCancelled",
    "get_sandbox", "default_workers", "OPS", "DEFAULT_TIMEOUT", "DEFAULT_MEMORY_MB", "MAX_TIMEOUT",
    "PER_OWNER", "RATE_PER_MIN", "HEAVY_S", "WAIT_REPORT_S", "CANCEL_POLL_S", "MIN_HEADROOM_MB",
    "STARTUP_TIMEOUT", "MAX_DIFF_ORDER", "MAX_RESULT_CHARS", "MAX_LATEX_OPS", "MAX_CURVE_POINTS",
]
