"""The production setup of deploy/ started on this machine, for tests/deploy: PostgreSQL, a
small case database, two app servers (`python -m supervision serve`, production mode) and
Debian's nginx rendered by deploy/render-nginx with a throw-away certificate, all as the
current user in a temporary folder.

`make deploy-check` runs these tests (SUPERVISION_DEPLOY_CHECK=1); `make test` leaves them
out (they need nginx and openssl and take minutes). PostgreSQL: SUPERVISION_TEST_PG_URL (a
role that may create databases: the test makes a database of its own and drops it), else
one started here with .ci/postgres (as root, like CI)."""

from __future__ import annotations

import datetime as dt
import os
import secrets
import shutil
import signal
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
RESULTS: dict[str, float] = {}      # figures printed after the run (failover seconds)

if os.environ.get("SUPERVISION_DEPLOY_CHECK") != "1":
    # not part of `make test`: `make deploy-check` sets the variable
    collect_ignore_glob = ["test_*.py"]

CASES = 20_000
DATA_END = dt.date(2026, 11, 20)
PASSWORD = "deploy-check-password"
USERS = {"ana": "analyst", "victim": "analyst"}


def pytest_unconfigure(config):
    """The failover figure, last of everything the run prints."""
    if RESULTS:
        sys.stdout.write("\n" + "".join(f"{name}: {seconds:.1f} s\n" for name, seconds in
                                         sorted(RESULTS.items(), key=lambda i: i[0] == "failover")))
        sys.stdout.flush()


# --------------------------------------------------------------------------- helpers

def wait_until(condition: Callable[[], object], what: str, timeout_s: float = 60,
               every_s: float = 0.1):
    """Poll `condition` (the app's state) until it gives a true value, which is returned.
    Exceptions are not caught: a failing check fails the test at once."""
    deadline = time.monotonic() + timeout_s
    while True:
        got = condition()
        if got:
            return got
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s:.0f} s waiting for {what}")
        time.sleep(every_s)


# what the test run's environment may hold that a production host has not (tests/conftest.py
# lowers bcrypt's cost, which production refuses; the unit tests' store and database)
NOT_IN_PRODUCTION = ("SUPERVISION_BCRYPT_ROUNDS", "SUPERVISION_STORE", "SUPERVISION_DB",
                     "SUPERVISION_ENV", "SUPERVISION_KEY_FILE")


def host_env(**extra: str) -> dict[str, str]:
    """This process's environment without the test-only settings, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if k not in NOT_IN_PRODUCTION}
    return {**env, **extra}


def run(*args: str, env: dict[str, str] | None = None, timeout: float = 300,
        ok: tuple[int, ...] = (0,)) -> subprocess.CompletedProcess:
    done = subprocess.run(args, cwd=ROOT, env=host_env(**(env or {})),
                          capture_output=True, text=True, timeout=timeout)
    if done.returncode not in ok:
        raise RuntimeError(f"{' '.join(args)} exited {done.returncode}:\n"
                           f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return done


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(url: str, *, insecure_tls: bool = False) -> tuple[int, dict[str, str], bytes]:
    """(status, headers (lower-case names, repeated ones joined by \\n), body); HTTP
    errors are answers too."""
    context = ssl._create_unverified_context() if insecure_tls else None
    try:
        with urllib.request.urlopen(url, timeout=15, context=context) as answer:
            status, headers, body = answer.status, answer.headers, answer.read()
    except urllib.error.HTTPError as error:
        status, headers, body = error.code, error.headers, error.read()
    joined: dict[str, str] = {}
    for name, value in headers.items():
        key = name.lower()
        joined[key] = f"{joined[key]}\n{value}" if key in joined else value
    return status, joined, body


# --------------------------------------------------------------------------- PostgreSQL

@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A database of this run's own in SUPERVISION_TEST_PG_URL's server (dropped after),
    or in a PostgreSQL started here with .ci/postgres."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    base = os.environ.get("SUPERVISION_TEST_PG_URL")
    started = None
    if not base:
        if os.geteuid() != 0:
            raise RuntimeError("set SUPERVISION_TEST_PG_URL (eval \"$(.ci/postgres)\" as root)")
        printed = run(str(ROOT / ".ci" / "postgres")).stdout
        values = dict(line.removeprefix("export ").split("=", 1)
                      for line in printed.splitlines() if line.startswith("export "))
        base, started = values["SUPERVISION_TEST_PG_URL"], values["SUPERVISION_TEST_PG_DATA"]
    name = f"deploy_{secrets.token_hex(4)}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))     # a fixed-form name
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
        if started:
            pg_bin = sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1]
            subprocess.run(["su", "postgres", "-s", "/bin/bash", "-c",
                            f"{pg_bin}/pg_ctl -D {started} stop -m fast"], check=True,
                           capture_output=True, timeout=60)
            shutil.rmtree(started)


# --------------------------------------------------------------------------- the setup

@dataclass
class AppServer:
    name: str
    port: int
    log: Path
    env: dict[str, str]
    proc: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> None:
        """`python -m supervision serve` as the service unit runs it (its output appended
        to the log)."""
        with open(self.log, "a") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "supervision", "serve", "--server.port",
                 str(self.port), "--server.address", "127.0.0.1", "--server.headless", "true",
                 "--browser.gatherUsageStats", "false"],
                cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True)

    def wait_ready(self) -> None:
        """deploy/bin/wait-ready, as the unit's ExecStartPost (or the server's exit)."""
        assert self.proc is not None
        with subprocess.Popen([sys.executable, str(DEPLOY / "bin" / "wait-ready"),
                               f"{self.base}/healthz", "--timeout", "180"],
                              stderr=subprocess.PIPE, text=True) as waiting:
            wait_until(lambda: waiting.poll() is not None or self.proc.poll() is not None,
                       f"server {self.name} to be ready or exit", timeout_s=200)
            if waiting.poll() is None:
                waiting.kill()
            said = waiting.stderr.read()
        if waiting.returncode != 0:
            raise RuntimeError(f"{self.name} not ready: {said}\n"
                               f"{self.log.read_text()[-3000:]}")

    def kill(self) -> None:
        """SIGKILL: the server dies without a word to its sessions."""
        assert self.proc is not None and self.proc.poll() is None
        self.proc.kill()
        self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


@dataclass
class Deployment:
    folder: Path
    db: Path
    store_url: str
    proxy: str                      # https://127.0.0.1:PORT
    access_log: Path
    servers: list[AppServer] = field(default_factory=list)

    def server_at(self, upstream: str) -> AppServer:
        """The server an access-log line's last upstream address names."""
        last = upstream.split(",")[-1].strip()
        return next(s for s in self.servers if s.address == last)

    def access_lines(self) -> list[dict]:
        import json

        if not self.access_log.exists():
            return []
        return [json.loads(line) for line in self.access_log.read_text().splitlines()]

    def store(self):
        from supervision.store import engine

        return engine(self.store_url)


def server_env(db: Path, store_url: str, origin: str) -> dict[str, str]:
    """deploy/supervision.env.example with this machine's paths, a fresh cookie key and
    the proxy's origin."""
    example = {}
    for line in (DEPLOY / "supervision.env.example").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, value = line.split("=", 1)
            example[name.strip()] = value.strip()
    assert example["SUPERVISION_ENV"] == "production"
    example.update(SUPERVISION_DB=str(db), SUPERVISION_STORE=store_url,
                   SUPERVISION_COOKIE_KEY=secrets.token_hex(32),
                   SUPERVISION_ALLOWED_ORIGINS=origin, FORWARDED_ALLOW_IPS="127.0.0.1",
                   SUPERVISION_DROP_FOLDER=str(db.parent / "drop"), PYTHONUNBUFFERED="1")
    return host_env(**example)


def nginx_main_conf(prefix: Path, site: Path) -> str:
    """The part Debian's /etc/nginx/nginx.conf plays, for a proxy in a temporary folder
    run by the current user in the foreground."""
    temp = prefix / "temp"
    temp.mkdir()
    user = "user root;\n" if os.geteuid() == 0 else ""   # workers may write the temp folder
    paths = "\n".join(f"    {kind}_temp_path {temp / kind};"
                      for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return (f"{user}daemon off;\nworker_processes 1;\npid {prefix / 'nginx.pid'};\n"
            f"error_log {prefix / 'error.log'} notice;\n"
            f"events {{ worker_connections 512; }}\n"
            f"http {{\n{paths}\n    include {site};\n}}\n")


@pytest.fixture(scope="module")
def deployment(pg_url, tmp_path_factory) -> Iterator[Deployment]:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists() or not shutil.which("openssl"):
        raise RuntimeError("make deploy-check needs Debian's nginx and openssl "
                           "(apt-get install nginx-light openssl; .ci/run installs them)")
    folder = tmp_path_factory.mktemp("deploy")
    data = folder / "data"
    data.mkdir()
    db = data / "court.duckdb"
    run(sys.executable, "-m", "supervision", "generate", "--db", str(db), "--cases",
        str(CASES), "--end", DATA_END.isoformat(), "--store", pg_url)
    for user, role in USERS.items():
        run(sys.executable, "-m", "supervision", "users", "--store", pg_url, "--db", str(db),
            "add", user, "--role", role, "--name", f"用户{user}", "--court", "HI000",
            env={"SUPERVISION_PASSWORD": PASSWORD})

    prefix = folder / "nginx"
    prefix.mkdir()
    cert, key = prefix / "cert.pem", prefix / "key.pem"
    run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
        "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
        "-keyout", str(key), "-out", str(cert))
    tls_port, plain_port = free_port(), free_port()
    proxy = f"https://127.0.0.1:{tls_port}"
    env = server_env(db, pg_url, proxy)
    deployment = Deployment(folder, db, pg_url, proxy, prefix / "access.log")
    deployment.servers = [AppServer(name, free_port(), folder / f"server-{name}.log", env)
                          for name in ("a", "b")]
    site = prefix / "supervision.conf"
    site.write_text(run(
        sys.executable, str(DEPLOY / "render-nginx"), "--server-name", "127.0.0.1",
        "--certificate", str(cert), "--certificate-key", str(key),
        *(arg for s in deployment.servers for arg in ("--app", s.address)),
        "--tls-listen", f"127.0.0.1:{tls_port}", "--listen", f"127.0.0.1:{plain_port}",
        "--access-log", str(deployment.access_log)).stdout)
    conf = prefix / "nginx.conf"
    conf.write_text(nginx_main_conf(prefix, site))
    run(nginx, "-t", "-q", "-p", str(prefix), "-c", str(conf), "-e", str(prefix / "error.log"))

    proxy_proc = None
    try:
        for server in deployment.servers:
            server.start()
        for server in deployment.servers:
            server.wait_ready()
        with open(prefix / "stderr.log", "w") as err:
            proxy_proc = subprocess.Popen(
                [nginx, "-p", str(prefix), "-c", str(conf), "-e", str(prefix / "error.log")],
                stdout=subprocess.DEVNULL, stderr=err, start_new_session=True)
        wait_until(lambda: proxy_proc.poll() is not None or
                   _answers(f"{proxy}/_stcore/health"), "nginx to answer", 30)
        assert proxy_proc.poll() is None, (prefix / "error.log").read_text()
        yield deployment
    finally:
        if proxy_proc is not None and proxy_proc.poll() is None:
            proxy_proc.send_signal(signal.SIGQUIT)     # graceful: workers finish
            try:
                proxy_proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proxy_proc.kill()
                proxy_proc.wait(timeout=10)
        for server in deployment.servers:
            server.stop()
        from supervision.store import _ENGINES

        engine = _ENGINES.pop(pg_url, None)
        if engine is not None:
            engine.dispose()


def _answers(url: str) -> bool:
    """Whether the proxy answers at all (a refused connection: not yet)."""
    try:
        http_get(url, insecure_tls=True)
    except urllib.error.URLError as error:
        if isinstance(error.reason, ConnectionRefusedError):
            return False
        raise
    return True
