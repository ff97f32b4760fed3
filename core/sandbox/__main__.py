"""``python -m core.sandbox [MB]``: one sandbox worker, limited to MB megabytes of address space.

The pool (:class:`core.sandbox.worker.WorkerProcess`) starts its workers with this
command line; the worker reads requests on stdin and answers on stdout.
"""

import sys

from .worker import DEFAULT_MEMORY_MB, main

if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_MEMORY_MB)
