"""K `streamlit run dashboard.py` replicas behind one nginx, on one machine (issue 17).

One Streamlit process serves every session from one Python interpreter: past a class of
a few dozen, the students wait on each other (one core does the work). Streamlit's
documented way to serve more is several processes behind a load balancer with sticky
sessions, all sharing one ``server.cookieSecret``. This script does that on one VM:

* K replicas on 127.0.0.1 (ports FIRST_PORT .. FIRST_PORT+K-1), each
  ``streamlit run dashboard.py --server.port P --server.headless true
  --server.fileWatcherType none`` with ``DERIVLAB_WORKERS=1`` (one SymPy worker each: K
  replicas already use K cores) and the same ``server.cookieSecret`` for all, set through
  ``STREAMLIT_SERVER_COOKIE_SECRET`` (Streamlit refuses that option as a command-line flag);
* nginx (``deploy/nginx.conf.template``, rendered into a private prefix directory: its
  own config, pid file, logs and temp directories; run in the foreground as the current
  user) on LISTEN, pinning each browser to one replica with a cookie;
* it waits until every replica and the proxy answer ``/_stcore/health``, checks that a
  browser stays on its replica, then serves until Ctrl-C / SIGTERM / SIGHUP, and stops
  everything it started on the way out (replicas with their worker processes, nginx).

    .venv/bin/python deploy/run_replicas.py                    # K = cores, http://127.0.0.1:8080
    .venv/bin/python deploy/run_replicas.py -k 2 --listen 0.0.0.0:80 --cookie-secret "$SECRET"
    .venv/bin/python deploy/run_replicas.py -k 2 --check       # start, check, stop (exit 0 = fine)

K defaults to the number of cores this process may use. The cookie secret defaults to
``$DERIVLAB_COOKIE_SECRET``, else a random one for this run (enough on one machine; give
the same one to every machine if replicas run on several). nginx is Debian's package
(``apt-get install nginx``); its own service need not run.

The module is also used by ``bench/classroom.py --proxy`` and ``tests/test_replicas.py``:
:class:`Replicas` (a context manager) and :func:`visit` (one HTTP request through the
proxy, returning which replica answered and the cookies a browser would keep).
"""

from __future__ import annotations

import argparse
import ctypes
import os
import pathlib
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parents[1]
TEMPLATE = pathlib.Path(__file__).with_name("nginx.conf.template")
AFFINITY_COOKIE = "derivlab_replica"


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def find_nginx() -> str | None:
    """The nginx binary (Debian puts it in /usr/sbin, which a normal user's PATH may lack)."""
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/local/nginx/sbin/nginx")
         if os.access(p, os.X_OK)), None)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _die_with_parent() -> None:
    """In the child before exec: receive SIGTERM if the starting process dies (Linux), so a
    killed script leaves no replica behind; and a process group of its own."""
    os.setsid()
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def render(template: str, prefix: pathlib.Path, listen: str, ports: list[int]) -> str:
    user = ""
    if os.geteuid() == 0:  # workers would become `nobody`; keep the current user
        import grp
        import pwd

        pw = pwd.getpwuid(os.geteuid())
        user = f"user {pw.pw_name} {grp.getgrgid(pw.pw_gid).gr_name};"
    servers = "\n".join(f"        server 127.0.0.1:{p} max_fails=3 fail_timeout=10s;" for p in ports)
    out = (template.replace("@@PREFIX@@", str(prefix)).replace("@@USER@@", user)
           .replace("@@LISTEN@@", listen).replace("@@SERVERS@@", servers))
    if re.search(r"@@[A-Z_]+@@", out):
        raise ValueError("a placeholder of the nginx template was left unfilled")
    return out


def http_get(url: str, cookie: str = "", timeout: float = 10.0) -> tuple[int, dict[str, list[str]], bytes]:
    """One GET: status, headers (lower-case name -> values), body. Never raises for HTTP errors."""
    req = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            status, msg, body = r.status, r.headers, r.read()
    except urllib.error.HTTPError as err:
        status, msg, body = err.code, err.headers, err.read()
    headers: dict[str, list[str]] = {}
    for name, value in msg.items():
        headers.setdefault(name.lower(), []).append(value)
    return status, headers, body


def merge_cookies(cookie: str, set_cookie: list[str]) -> str:
    """The Cookie header a browser sends next: ``cookie`` updated by Set-Cookie values."""
    jar = dict(p.split("=", 1) for p in cookie.split("; ") if "=" in p)
    for sc in set_cookie:
        name, _, value = sc.split(";", 1)[0].partition("=")
        jar[name.strip()] = value.strip()
    return "; ".join(f"{k}={v}" for k, v in jar.items())


def visit(base_url: str, path: str = "", cookie: str = "", timeout: float = 10.0) -> tuple[str, str, int]:
    """GET base_url/path as a browser loading that address: (replica that answered
    (``127.0.0.1:PORT``, from nginx's X-Upstream), the cookies afterwards, status)."""
    status, headers, _ = http_get(f"{base_url.rstrip('/')}/{path.lstrip('/')}", cookie, timeout)
    upstream = (headers.get("x-upstream") or [""])[-1]
    return upstream, merge_cookies(cookie, headers.get("set-cookie", [])), status


class Replicas:
    """K streamlit replicas and an nginx in front of them, all on 127.0.0.1 (context manager).

    ``first_port=None`` takes free ports (tests); ``workdir`` holds nginx's prefix and every
    log (a temporary directory, removed at stop, when None)."""

    def __init__(self, k: int | None = None, listen: str | None = None, first_port: int | None = None,
                 cookie_secret: str | None = None, script: str = "dashboard.py",
                 workdir: pathlib.Path | None = None, env: dict | None = None, health_timeout: float = 180.0):
        self.k = k or cores()
        self.listen = listen or f"127.0.0.1:{free_port()}"
        self.ports = ([first_port + i for i in range(self.k)] if first_port
                      else [free_port() for _ in range(self.k)])
        self.cookie_secret = cookie_secret or os.environ.get("DERIVLAB_COOKIE_SECRET") or secrets.token_hex(32)
        self.script = script
        self._own_dir = workdir is None
        self.workdir = pathlib.Path(workdir or tempfile.mkdtemp(prefix="derivlab-replicas-"))
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.env = env or {}
        self.health_timeout = health_timeout
        self.procs: list[subprocess.Popen] = []
        self.nginx: subprocess.Popen | None = None
        self._logs: list = []

    # - addresses -
    @property
    def url(self) -> str:
        host, _, port = self.listen.rpartition(":")
        host = "127.0.0.1" if host in ("", "0.0.0.0", "*", "[::]") else host
        return f"http://{host}:{port}"

    def replica_of(self, upstream: str) -> int | None:
        """Index of the replica at ``127.0.0.1:PORT`` (nginx's $upstream_addr), else None."""
        last = upstream.split(",")[-1].strip()  # after a retry nginx lists every address tried
        try:
            return self.ports.index(int(last.rpartition(":")[2]))
        except ValueError:
            return None

    def upstream_errors(self) -> list[str]:
        """Lines of nginx's error log about a replica (a failed or reset request, a replica
        marked down): each may have sent a student to another replica."""
        log = self.workdir / "nginx" / "logs" / "error.log"
        if not log.exists():
            return []
        return [line for line in log.read_text(errors="replace").splitlines() if "upstream" in line]

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self.procs] + ([self.nginx.pid] if self.nginx else [])

    # - life -
    def start(self) -> Replicas:
        nginx = find_nginx()
        if nginx is None:
            raise FileNotFoundError("nginx is not installed (Debian: apt-get install nginx)")
        try:
            for i, port in enumerate(self.ports):
                log = open(self.workdir / f"replica-{i}-{port}.log", "wb")
                self._logs.append(log)
                cmd = [sys.executable, "-m", "streamlit", "run", self.script,
                       "--server.port", str(port), "--server.address", "127.0.0.1",
                       "--server.headless", "true",
                       "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"]
                # Streamlit 1.67 refuses --server.cookieSecret on the command line (it would show
                # in `ps`): the environment variable sets the same option.
                env = {**os.environ, "PYTHONUNBUFFERED": "1", "DERIVLAB_WORKERS": "1",
                       "STREAMLIT_SERVER_COOKIE_SECRET": self.cookie_secret, **self.env}
                self.procs.append(subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                                                   env=env, preexec_fn=_die_with_parent))
            prefix = self.workdir / "nginx"
            for d in ("logs", "tmp"):
                (prefix / d).mkdir(parents=True, exist_ok=True)
            conf = prefix / "nginx.conf"
            conf.write_text(render(TEMPLATE.read_text(), prefix, self.listen, self.ports))
            base = [nginx, "-p", str(prefix), "-c", str(conf), "-e", str(prefix / "logs" / "error.log")]
            test = subprocess.run([*base, "-t", "-q"], capture_output=True, text=True, timeout=30)
            if test.returncode:
                raise RuntimeError(f"nginx rejected {conf}:\n{test.stderr}")
            log = open(prefix / "logs" / "nginx.out", "wb")
            self._logs.append(log)
            self.nginx = subprocess.Popen(base, stdout=log, stderr=subprocess.STDOUT, preexec_fn=_die_with_parent)
            deadline = time.monotonic() + self.health_timeout
            for i, (port, proc) in enumerate(zip(self.ports, self.procs)):
                self._wait_ok(f"http://127.0.0.1:{port}", proc, deadline, f"replica {i} (port {port})")
            self._wait_ok(self.url, self.nginx, deadline, "nginx")
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_ok(self, base: str, proc: subprocess.Popen, deadline: float, what: str) -> None:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"{what} exited with {proc.returncode}; logs in {self.workdir}")
            try:
                if http_get(base + "/_stcore/health", timeout=2)[2].strip() == b"ok":
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"{what} did not answer /_stcore/health in time; logs in {self.workdir}")

    def stop(self) -> None:
        """Stop nginx (graceful, then forced) and every replica with its process group."""
        if self.nginx is not None and self.nginx.poll() is None:
            self.nginx.send_signal(signal.SIGQUIT)
            try:
                self.nginx.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.nginx.kill()
                self.nginx.wait(timeout=10)
        for proc in self.procs:
            stop_group(proc)
        for log in self._logs:
            log.close()
        self._logs = []
        if self._own_dir and not os.environ.get("DERIVLAB_KEEP_LOGS"):
            shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> Replicas:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def check(self, browsers: int = 8, visits: int = 3) -> dict[int, int]:
        """Open ``browsers`` fresh browsers through the proxy, each loading a few addresses:
        every browser must stay on one replica. Returns browsers per replica."""
        spread: dict[int, int] = {}
        for b in range(browsers):
            first, cookie, status = visit(self.url)
            if status != 200 or AFFINITY_COOKIE not in cookie:
                raise RuntimeError(f"browser {b}: status {status}, cookies {cookie!r}")
            for path in ["_stcore/health", "symbolic", ""][:visits]:
                up, cookie, status = visit(self.url, path, cookie)
                if up != first or status != 200:
                    raise RuntimeError(f"browser {b} moved from {first} to {up} on /{path} ({status})")
            r = self.replica_of(first)
            spread[r] = spread.get(r, 0) + 1
        return spread


def stop_group(proc: subprocess.Popen) -> None:
    """Stop a process that leads its own group, and everything it started (SymPy workers too).

    The one copy: the tests' servers (tests/stclient.py, the browser tests) stop theirs with it.
    """
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=15)
        except ProcessLookupError:
            pass
    try:  # the SymPy workers share the group: leave none behind
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


class _Stop(Exception):
    pass


def _raise_stop(signum, frame):
    raise _Stop(signal.Signals(signum).name)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-k", "--replicas", type=int, default=cores(), help=f"replicas (default: cores = {cores()})")
    ap.add_argument("--listen", default="127.0.0.1:8080", help="nginx's address (default 127.0.0.1:8080)")
    ap.add_argument("--first-port", type=int, default=8501, help="first replica's port (default 8501)")
    ap.add_argument("--cookie-secret", default=None,
                    help="server.cookieSecret of every replica (default: $DERIVLAB_COOKIE_SECRET, else random)")
    ap.add_argument("--workdir", type=pathlib.Path, default=None,
                    help="nginx prefix and logs (default: a temporary directory, removed at exit)")
    ap.add_argument("--check", action="store_true", help="start, check stickiness, stop")
    args = ap.parse_args()

    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _raise_stop)
    reps = Replicas(args.replicas, args.listen, args.first_port, args.cookie_secret, workdir=args.workdir)
    t0 = time.monotonic()
    try:
        reps.start()
        print(f"{reps.k} replicas on 127.0.0.1:{reps.ports[0]}..{reps.ports[-1]} and nginx on {reps.listen}, "
              f"healthy after {time.monotonic() - t0:.1f} s (logs in {reps.workdir})", flush=True)
        spread = reps.check()
        print("stickiness check: browsers per replica "
              + ", ".join(f"#{r}: {n}" for r, n in sorted(spread.items(), key=lambda kv: str(kv[0]))), flush=True)
        if args.check:
            return 0
        print(f"serving on {reps.url} (Ctrl-C stops everything)", flush=True)
        while all(p.poll() is None for p in [*reps.procs, reps.nginx]):
            time.sleep(1)
        print("a replica or nginx exited; stopping the rest", file=sys.stderr)
        return 1
    except (KeyboardInterrupt, _Stop):
        return 0
    except (RuntimeError, FileNotFoundError, ValueError) as err:
        print(f"run_replicas: {err}", file=sys.stderr)
        return 1
    finally:
        reps.stop()


if __name__ == "__main__":
    sys.exit(main())
