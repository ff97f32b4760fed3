"""Everything the sandbox raises, in one place: :class:`SandboxError` and its kinds.

Each message is written for a student to read on the page. (Text that does not
parse comes back as :class:`core.messages.ExpressionError`, as it would in the server.)
"""

from __future__ import annotations

__all__ = ["SandboxError", "SandboxTimeout", "SandboxMemoryError", "SandboxBusy", "SandboxSessionLimit",
           "SandboxRateLimited", "SandboxCancelled"]


class SandboxError(RuntimeError):
    """The symbolic operation failed; the message says why in plain words."""


class SandboxTimeout(SandboxError):
    """The operation ran past its time limit and was stopped."""


class SandboxMemoryError(SandboxError):
    """The operation needed more memory than a worker may use and was stopped."""


class SandboxBusy(SandboxError):
    """Every worker stayed busy for longer than the caller was willing to wait."""


class SandboxSessionLimit(SandboxError):
    """The same owner (browser session) already has a request running or waiting."""


class SandboxRateLimited(SandboxError):
    """The owner started too many heavy requests in the last minute; ``retry_after`` says how long to wait."""

    def __init__(self, message: str, retry_after: float):
        super().__init__(message)
        self.retry_after = float(retry_after)


class SandboxCancelled(SandboxError):
    """The caller's ``cancelled()`` turned True (its page reran or closed); the request was dropped."""
