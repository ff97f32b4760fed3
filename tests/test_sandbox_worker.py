"""The worker process (core/sandbox/worker.py): ``python -m core.sandbox MB`` and its protocol.

A length-prefixed pickle per message: ``(op, args, kwargs)`` in,
``(status, value, seconds)`` out; the worker says READY once its imports are done
and exits when its stdin closes.
"""

import pickle

from core.sandbox.worker import HEADER, READY, WorkerProcess


def _ask(w: WorkerProcess, op, *args, **kwargs):
    return w.call(op, args, kwargs, timeout=30)


def test_a_worker_answers_in_its_protocol_and_exits_when_stdin_closes():
    w = WorkerProcess(500)
    try:
        w.wait_ready()
        status, value, seconds = _ask(w, "ping")
        assert status == "ok" and value["text"] == "pong" and 0 <= seconds < 5
        assert _ask(w, "expand", "sinn(x)")[:2] == (
            "expression", "unknown function 'sinn' at column 1; did you mean 'sin'?")
        status, value, _ = _ask(w, "diff", "x^2", order=99)
        assert status == "error" and value.startswith("ValueError: order must be between")
        assert w.alive()
        w.proc.stdin.close()
        w.proc.wait(timeout=10)
        assert not w.alive() and w.proc.returncode == 0
    finally:
        w.kill()


def test_the_command_line_is_python_m_core_sandbox_and_frames_are_length_prefixed():
    w = WorkerProcess(321)
    try:
        assert w.proc.args[1:] == ["-m", "core.sandbox", "321"]
        out = w.proc.stdout
        assert out.read(len(READY)) == READY  # imports done
        data = pickle.dumps(("ping", (), {}))
        w.proc.stdin.write(HEADER.pack(len(data)) + data)
        w.proc.stdin.flush()
        (size,) = HEADER.unpack(out.read(HEADER.size))
        status, value, _ = pickle.loads(out.read(size))
        assert status == "ok" and value["pid"] == w.proc.pid
    finally:
        w.kill()
