"""The race: how long each way of differentiating takes, measured honestly.

>>> from core import presets, timing
>>> df = timing.race(presets.resolve("x^2"), n=10_000, repeats=3)   # one row per (method, phase)

One idea per module:

* :mod:`~core.timing.methods`: the methods (symbolic, numerical, central,
  autodiff, ...), each one's setup beside its label and notebook code.
* :mod:`~core.timing.harness`: :func:`race`: the grid, the warm-up, the clock,
  the timed calls (``block_until_ready`` for JAX), the accuracy columns.
* :mod:`~core.timing.lab`: :func:`lab_race`, the lab's one-shot ``time.time()`` way.
* :mod:`~core.timing.verdicts`: :func:`lab_claims`, the lab's three conclusions as
  claims with a measured ratio.
* :mod:`~core.timing.scaling`: :func:`scaling_n` and :func:`scaling_depth`, time
  against n and against the composed polynomial's depth, inside a budget.
* :mod:`~core.timing.queue`: :data:`QUEUE`, one race at a time per process;
  every entry point above is decorated ``@one_at_a_time`` where it is defined.
* :mod:`~core.timing.estimates`: how long a race will take, guessed from operation counts.
* :mod:`~core.timing.sizing`: how many points the host's memory affords.
* :mod:`~core.timing.code`: :func:`race_code`, the notebook code behind each figure.

JAX is imported (through ``core.jax64``) only when a JAX method or the lab's race runs.
"""

from __future__ import annotations

from .code import race_code
from .estimates import estimate_method_seconds, estimate_seconds, op_counts
from .harness import METHOD_BUDGET_S, Progress, accuracy, grid, race, sub_progress, warm_up
from .lab import LAB_CODE, LAB_FIGURES, lab_race
from .methods import LAB_METHODS, METHODS, Method, device_label, method
from .queue import QUEUE, QueueCancelled, QueueFull, QueueSessionLimit, RaceQueue, one_at_a_time
from .scaling import DEPTH_METHODS, scaling_depth, scaling_n
from .sizing import BYTES_PER_POINT, CLOUD_MEMORY, MAX_POINTS, bytes_per_point, max_points, memory_available
from .verdicts import SIMILAR, lab_claims

__all__ = [
    "race", "lab_race", "lab_claims", "scaling_n", "scaling_depth",
    "METHODS", "Method", "method", "LAB_METHODS", "DEPTH_METHODS", "LAB_CODE", "LAB_FIGURES", "SIMILAR",
    "grid", "warm_up", "accuracy", "sub_progress", "Progress", "METHOD_BUDGET_S", "device_label",
    "max_points", "bytes_per_point", "memory_available", "MAX_POINTS", "BYTES_PER_POINT", "CLOUD_MEMORY",
    "RaceQueue", "QueueFull", "QueueSessionLimit", "QueueCancelled", "QUEUE", "one_at_a_time",
    "estimate_seconds", "estimate_method_seconds", "op_counts", "race_code",
]
