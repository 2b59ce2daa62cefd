"""A scale-out cluster on one machine: PostgreSQL, Redis, two Cocreate instances under gunicorn,
a job worker (when the app has ``flask jobs``) and nginx with TLS in front, all on loopback.

    python deploy/cluster.py start [--state .cluster] [--port 8443]
    python deploy/cluster.py stop [--state .cluster]

``make cluster`` and ``make cluster-stop`` run these; tests/cluster starts the same cluster
through :func:`start` (free ports, its own state directory), so the tests prove what
``make cluster`` runs. Everything the cluster has lives in the state directory: the generated
configuration, the self-signed certificate, PostgreSQL's data, one pid file per process
(``pids/``), the logs (``logs/``) and ``cluster.json`` (ports and URLs). ``stop`` stops the
processes named by those pid files, and nothing else.

The instances run with the production configuration (Secure cookies, so the cluster is served
over https), ``TRUSTED_PROXIES=1`` (nginx is the one proxy; the instances listen on loopback
only), Redis for rate limits and the Socket.IO message queue, and each its own instance
folder, as two hosts would have.

Needs ``initdb``/``postgres`` (Debian's postgresql), ``redis-server``, ``nginx`` and
``openssl``; ``make cluster`` installs what is missing when run as root. As root, PostgreSQL
runs as the ``postgres`` user (it refuses to run as root).
"""

from __future__ import annotations

import argparse
import contextlib
import glob
import json
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTANCES = ("web-a", "web-b")
#: How long a process gets to come up, or to go away after SIGTERM, before we give up.
START_TIMEOUT = 60.0
STOP_TIMEOUT = 20.0
#: Which signal stops each kind of process quickly and cleanly.
STOP_SIGNALS = {
    "postgres": signal.SIGINT,  # PostgreSQL's "fast" shutdown: connections closed, data kept
    # gunicorn's quick shutdown (SIGTERM would wait graceful_timeout for open WebSockets).
    **dict.fromkeys(("web-a", "web-b"), signal.SIGINT),
}


class ClusterError(RuntimeError):
    """Something the cluster needs is missing, or a process did not come up."""


def free_port() -> int:
    """A loopback port free right now (the OS picks it)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def postgres_bindir() -> Path | None:
    """The newest PostgreSQL server binaries installed (Debian keeps them off PATH)."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4])
    )
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(os.path.realpath(initdb)).parent if initdb else None


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None
    )


def redis_binary() -> str | None:
    return shutil.which("redis-server") or next(
        (p for p in ("/usr/bin/redis-server",) if os.access(p, os.X_OK)), None
    )


def missing_binaries() -> list[str]:
    """What this machine lacks to run a cluster (Debian package names)."""
    missing = []
    if postgres_bindir() is None:
        missing.append("postgresql")
    if redis_binary() is None:
        missing.append("redis-server")
    if nginx_binary() is None:
        missing.append("nginx")
    if shutil.which("openssl") is None:
        missing.append("openssl")
    return missing


@dataclass
class Cluster:
    """A cluster's state directory and what ``cluster.json`` in it says."""

    state: Path
    ports: dict[str, int] = field(default_factory=dict)
    database_url: str = ""
    secret_key: str = ""
    worker: bool = False
    #: Settings given to every instance and command on top of the cluster's own (e.g. a
    #: benchmark's higher login limit).
    settings: dict[str, str] = field(default_factory=dict)
    #: The processes this object started, kept so that they are reaped when stopped.
    children: dict[str, subprocess.Popen] = field(default_factory=dict, repr=False)

    # --- where things are ---------------------------------------------------------------

    @property
    def url(self) -> str:
        """The site, through nginx."""
        return f"https://localhost:{self.ports['nginx']}"

    def instance_url(self, name: str) -> str:
        """One instance directly (loopback, plain http)."""
        return f"http://127.0.0.1:{self.ports[name]}"

    @property
    def database_password(self) -> str:
        return self.database_url.split("@")[0].rpartition(":")[2]

    @property
    def redis_url(self) -> str:
        return f"redis://127.0.0.1:{self.ports['redis']}"

    def log(self, name: str) -> Path:
        return self.state / "logs" / f"{name}.log"

    def _pidfile(self, name: str) -> Path:
        return self.state / "pids" / f"{name}.pid"

    def save(self) -> None:
        info = {
            "ports": self.ports,
            "database_url": self.database_url,
            "secret_key": self.secret_key,
            "worker": self.worker,
            "settings": self.settings,
            "url": self.url,
        }
        path = self.state / "cluster.json"
        path.write_text(json.dumps(info, indent=2) + "\n")
        path.chmod(0o600)

    @classmethod
    def load(cls, state: Path) -> Cluster:
        info = json.loads((state / "cluster.json").read_text())
        return cls(
            state=state,
            ports=info["ports"],
            database_url=info["database_url"],
            secret_key=info["secret_key"],
            worker=info.get("worker", False),
            settings=info.get("settings", {}),
        )

    # --- the app's environment ----------------------------------------------------------

    def app_env(self, name: str) -> dict[str, str]:
        """The environment of an instance (or of a command run as it, or the worker)."""
        env = {
            **os.environ,
            "COCREATE_ENV": "production",
            "SECRET_KEY": self.secret_key,
            "DATABASE_URL": self.database_url,
            "RATELIMIT_STORAGE_URI": f"{self.redis_url}/0",
            "SOCKETIO_MESSAGE_QUEUE": f"{self.redis_url}/1",
            "JOBS_REDIS_URL": f"{self.redis_url}/2",  # web instances enqueue, the worker runs
            "CACHE_REDIS_URL": f"{self.redis_url}/3",  # a change drops every instance's pages
            "TRUSTED_PROXIES": "1",
            "SITE_URL": self.url,
            # Each instance has its own folder (and so its own search index), as on two hosts.
            "COCREATE_INSTANCE": str(self.state / name),
            **self.settings,
        }
        if name in self.ports:
            env["GUNICORN_BIND"] = f"127.0.0.1:{self.ports[name]}"
        return env

    def flask(self, *args: str, name: str = INSTANCES[0], check: bool = True) -> int:
        """Run ``flask --app wsgi <args>`` as instance ``name`` would; its output goes to
        the log ``flask``. Returns the exit status."""
        return self.flask_run(*args, name=name, check=check).returncode

    def flask_run(self, *args: str, name: str = INSTANCES[0], check: bool = True):
        """:meth:`flask`, returning the finished process with its output (also logged)."""
        result = subprocess.run(
            [str(Path(sys.executable).parent / "flask"), "--app", "wsgi", *args],
            cwd=ROOT,
            env=self.app_env(name),
            capture_output=True,
            text=True,
        )
        with open(self.log("flask"), "a") as log:
            log.write(f"$ flask {' '.join(args)}\n{result.stdout}{result.stderr}")
        if check and result.returncode != 0:
            raise ClusterError(f"flask {' '.join(args)} failed: see {self.log('flask')}")
        return result

    # --- processes ----------------------------------------------------------------------

    def pid(self, name: str) -> int | None:
        """The pid of ``name`` if it is running (and is the process we started)."""
        try:
            pid = int(self._pidfile(name).read_text())
        except (OSError, ValueError):
            return None
        if not _alive(pid):
            return None
        # A recycled pid would belong to a process started after our pid file was written.
        if _started_at(pid) > self._pidfile(name).stat().st_mtime + 2:
            return None
        return pid

    def spawn(self, name: str, argv: list[str], env: dict | None = None, user=None) -> int:
        """Start ``argv`` in a session of its own, output to ``logs/<name>.log``."""
        log = open(self.log(name), "a")  # noqa: SIM115 (the child keeps it)
        process = subprocess.Popen(
            argv,
            cwd=ROOT,
            env=env or os.environ.copy(),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            user=user,
            group=pwd.getpwnam(user).pw_gid if user else None,
            extra_groups=[] if user else None,
        )
        log.close()
        self.children[name] = process
        self._pidfile(name).write_text(f"{process.pid}\n")
        return process.pid

    def stop_process(self, name: str, kill: bool = False) -> bool:
        """Stop the process ``name`` we started, True if it ran: with its stop signal, and
        its whole process group killed if it is not gone in time (or ``kill``: at once, as
        a crash would)."""
        pid = self.pid(name)
        if pid is None:
            self._pidfile(name).unlink(missing_ok=True)
            return False
        sig = signal.SIGKILL if kill else STOP_SIGNALS.get(name, signal.SIGTERM)
        with contextlib.suppress(ProcessLookupError):
            (os.killpg if kill else os.kill)(pid, sig)
        deadline = time.monotonic() + STOP_TIMEOUT
        while time.monotonic() < deadline and _alive(pid):
            time.sleep(0.1)
        if _alive(pid):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
            while _alive(pid):
                time.sleep(0.1)
        self._pidfile(name).unlink(missing_ok=True)
        process = self.children.pop(name, None)
        if process is not None:
            process.wait()
        return True

    def wait_for_port(self, name: str, port: int) -> None:
        """Wait until ``port`` accepts connections; fail if ``name`` died meanwhile."""
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                sock.settimeout(1)
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    return
            if self.pid(name) is None:
                raise ClusterError(f"{name} exited while starting: see {self.log(name)}")
            time.sleep(0.1)
        raise ClusterError(f"{name} did not listen on port {port}: see {self.log(name)}")

    # --- the parts ----------------------------------------------------------------------

    def start_postgres(self) -> None:
        bindir = postgres_bindir()
        data = self.state / "postgres" / "data"
        user = "postgres" if os.geteuid() == 0 else None
        if not (data / "PG_VERSION").exists():
            self._initdb(bindir, data, user)
        port = self.ports["postgres"]
        argv = [
            str(bindir / "postgres"),
            "-D",
            str(data),
            "-p",
            str(port),
            "-k",
            str(self.state / "postgres"),
            "-c",
            "listen_addresses=127.0.0.1",
            "-c",
            "fsync=off",  # a trial cluster: speed over surviving a power cut
        ]
        self.spawn("postgres", argv, user=user)
        self.wait_for_port("postgres", port)
        # Listening is not ready: it may still be starting up (or recovering).
        deadline = time.monotonic() + START_TIMEOUT
        ready = [str(bindir / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(port)]
        while subprocess.run(ready).returncode != 0:
            if time.monotonic() > deadline or self.pid("postgres") is None:
                raise ClusterError(f"PostgreSQL did not start: see {self.log('postgres')}")
            time.sleep(0.2)

    def _initdb(self, bindir: Path, data: Path, user: str | None) -> None:
        folder = data.parent
        folder.mkdir(parents=True, exist_ok=True)
        password = self.database_password
        pwfile = folder / "password"
        pwfile.write_text(password + "\n")
        if user:
            entry = pwd.getpwnam(user)
            for path in (folder, pwfile):
                os.chown(path, entry.pw_uid, entry.pw_gid)
        with open(self.log("postgres"), "a") as log:
            subprocess.run(
                [
                    str(bindir / "initdb"),
                    "-D",
                    str(data),
                    "-U",
                    "cocreate",
                    "--pwfile",
                    str(pwfile),
                    "--auth=scram-sha-256",
                    "-E",
                    "UTF8",
                    "--locale=C.UTF-8",
                ],
                check=True,
                stdout=log,
                stderr=subprocess.STDOUT,
                user=user,
                group=pwd.getpwnam(user).pw_gid if user else None,
                extra_groups=[] if user else None,
            )
        pwfile.unlink()

    def create_database(self) -> None:
        """The ``cocreate`` database, unless it is there (a cluster started again)."""
        port = str(self.ports["postgres"])
        password = self.database_password
        env = {**os.environ, "PGPASSWORD": password}
        base = ["-h", "127.0.0.1", "-p", port, "-U", "cocreate"]
        bindir = postgres_bindir()
        query = "SELECT 1 FROM pg_database WHERE datname = 'cocreate'"
        exists = subprocess.run(
            [str(bindir / "psql"), *base, "-d", "postgres", "-tAc", query],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        if exists != "1":
            subprocess.run([str(bindir / "createdb"), *base, "cocreate"], env=env, check=True)

    def start_redis(self) -> None:
        folder = self.state / "redis"
        folder.mkdir(exist_ok=True)
        port = self.ports["redis"]
        argv = [
            redis_binary(),
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(folder),
            "--daemonize",
            "no",
        ]
        self.spawn("redis", argv)
        self.wait_for_port("redis", port)

    def start_instance(self, name: str, wait: bool = True) -> None:
        (self.state / name).mkdir(exist_ok=True)
        argv = [
            str(Path(sys.executable).parent / "gunicorn"),
            "-c",
            str(ROOT / "deploy" / "gunicorn.conf.py"),
            "wsgi:app",
        ]
        self.spawn(name, argv, env=self.app_env(name))
        if wait:
            self.wait_for_port(name, self.ports[name])

    def start_worker(self) -> None:
        flask = str(Path(sys.executable).parent / "flask")
        self.spawn("worker", [flask, "--app", "wsgi", "jobs", "worker"], env=self.app_env("worker"))

    def has_jobs_command(self) -> bool:
        """Whether this version of the app has ``flask jobs`` (the job engine)."""
        return self.flask("jobs", "--help", check=False) == 0

    def write_certificate(self) -> None:
        """A self-signed certificate for localhost and 127.0.0.1 (kept across restarts)."""
        tls = self.state / "tls"
        tls.mkdir(exist_ok=True)
        if (tls / "cert.pem").exists():
            return
        openssl = shutil.which("openssl")
        subprocess.run(
            [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "365",
             "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
             "-keyout", str(tls / "key.pem"), "-out", str(tls / "cert.pem")],
            check=True, capture_output=True,
        )  # fmt: skip
        (tls / "key.pem").chmod(0o600)

    def write_nginx_config(self) -> Path:
        """nginx.conf: this cluster's upstream and TLS server around deploy/nginx's
        settings, the ones a production site includes."""
        folder = self.state / "nginx"
        (folder / "tmp").mkdir(parents=True, exist_ok=True)
        logs = self.state / "logs"
        servers = "\n".join(
            f"        server 127.0.0.1:{self.ports[name]} max_fails=1 fail_timeout=5s;"
            for name in INSTANCES
        )
        temp = "\n".join(
            f"    {kind}_temp_path {folder / 'tmp' / kind};"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        config = f"""# Generated by deploy/cluster.py; the site's settings are deploy/nginx's.
daemon off;
worker_processes 1;
pid {folder / "nginx.pid"};
error_log {logs / "nginx-error.log"} warn;
events {{
    worker_connections 1024;
}}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    log_format cluster '$remote_addr "$request" $status upstream=$upstream_addr';
    access_log {logs / "nginx-access.log"} cluster;
{temp}
    include {ROOT / "deploy" / "nginx" / "cocreate-http.conf"};

    upstream cocreate {{
        hash $cocreate_node consistent;
{servers}
        keepalive 8;
    }}

    # Another Host (or none) is refused, as deploy/nginx/cocreate.conf refuses it.
    server {{
        listen 127.0.0.1:{self.ports["nginx"]} ssl default_server;
        ssl_certificate {self.state / "tls" / "cert.pem"};
        ssl_certificate_key {self.state / "tls" / "key.pem"};
        return 421;
    }}

    server {{
        listen 127.0.0.1:{self.ports["nginx"]} ssl;
        server_name localhost;
        ssl_certificate {self.state / "tls" / "cert.pem"};
        ssl_certificate_key {self.state / "tls" / "key.pem"};

        set $cocreate_root {ROOT};
        include {ROOT / "deploy" / "nginx" / "cocreate-locations.conf"};
    }}
}}
"""
        path = folder / "nginx.conf"
        path.write_text(config)
        return path

    def start_nginx(self) -> None:
        self.write_certificate()
        config = self.write_nginx_config()
        self.spawn("nginx", [nginx_binary(), "-c", str(config), "-e", str(self.log("nginx"))])
        self.wait_for_port("nginx", self.ports["nginx"])

    def running(self) -> list[str]:
        """The processes of this cluster that run now."""
        names = ["postgres", "redis", *INSTANCES, "worker", "nginx"]
        return [name for name in names if self.pid(name) is not None]


def _started_at(pid: int) -> float:
    """When process ``pid`` started (seconds since the epoch), from /proc."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            ticks = int(stat.read().rpartition(")")[2].split()[19])
        with open("/proc/stat") as stat:
            boot = next(int(line.split()[1]) for line in stat if line.startswith("btime "))
    except (OSError, ValueError, StopIteration):
        return 0.0
    return boot + ticks / os.sysconf("SC_CLK_TCK")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with contextlib.suppress(ChildProcessError):  # our child: reap it if it ended
        if os.waitpid(pid, os.WNOHANG)[0] == pid:
            return False
    try:  # a zombie (our own child, not yet reaped) counts as gone
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def start(
    state: Path,
    *,
    nginx_port: int | None = None,
    demo: bool = True,
    worker: bool | None = None,
    settings: dict[str, str] | None = None,
    progress=print,
) -> Cluster:
    """Start a cluster in ``state`` (made if needed) and return it; ports are free ones,
    nginx's is ``nginx_port`` if given; ``settings`` go to every instance's environment. A
    cluster whose state is there is started again with its data (its ports too, unless
    taken)."""
    missing = missing_binaries()
    if missing:
        raise ClusterError(f"missing: {', '.join(missing)} (Debian packages)")
    state = state.resolve()
    for sub in ("logs", "pids"):
        (state / sub).mkdir(parents=True, exist_ok=True)
    if (state / "cluster.json").exists():
        cluster = Cluster.load(state)
        if cluster.running():
            raise ClusterError(f"already running: {', '.join(cluster.running())}")
    else:
        password = secrets.token_hex(12)
        cluster = Cluster(
            state=state,
            secret_key=secrets.token_hex(32),
            database_url=f"postgresql://cocreate:{password}@127.0.0.1:0/cocreate",
        )
    if settings is not None:
        cluster.settings = dict(settings)
    ports = dict(cluster.ports)
    for name in ("postgres", "redis", *INSTANCES, "nginx"):
        if name not in ports or not _port_free(ports[name]):
            ports[name] = free_port()
    if nginx_port is not None:
        ports["nginx"] = nginx_port
    cluster.ports = ports
    cluster.database_url = _with_port(cluster.database_url, ports["postgres"])
    cluster.save()
    try:
        progress(f"PostgreSQL on 127.0.0.1:{ports['postgres']}")
        cluster.start_postgres()
        cluster.create_database()
        progress(f"Redis on 127.0.0.1:{ports['redis']}")
        cluster.start_redis()
        progress("Migrating the database")
        cluster.flask("db", "upgrade")
        if demo:
            progress("Loading the demo data")
            loaded = cluster.flask_run("demo", "load", "--allow-production").stdout
            for line in loaded.splitlines():
                if line.startswith("Demo logins"):
                    progress(line)
            # Search runs in PostgreSQL, the instances' one store: checked once, rebuilt if the
            # load left it behind.
            if cluster.flask("search", "check", check=False) != 0:
                cluster.flask("search", "rebuild")
        for name in INSTANCES:
            progress(f"Instance {name} on 127.0.0.1:{ports[name]}")
            cluster.start_instance(name, wait=False)
        cluster.worker = cluster.has_jobs_command() if worker is None else worker
        for name in INSTANCES:
            cluster.wait_for_port(name, ports[name])
        if cluster.worker:
            progress("Job worker")
            cluster.start_worker()
        progress(f"nginx (TLS) on 127.0.0.1:{ports['nginx']}")
        cluster.start_nginx()
        cluster.save()
    except BaseException:
        stop(cluster)
        raise
    return cluster


def stop(cluster: Cluster, progress=lambda _message: None) -> list[str]:
    """Stop every process of the cluster that runs (by its pid file), front to back."""
    stopped = []
    for name in ("nginx", "worker", *INSTANCES, "redis", "postgres"):
        if cluster.stop_process(name):
            progress(f"Stopped {name}")
            stopped.append(name)
    return stopped


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _with_port(url: str, port: int) -> str:
    head, _, tail = url.rpartition("@")
    database = tail.partition("/")[2]
    return f"{head}@127.0.0.1:{port}/{database}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["start", "stop", "missing"])
    parser.add_argument("--state", type=Path, default=ROOT / ".cluster")
    parser.add_argument("--port", type=int, help="nginx's port (default: a free one)")
    args = parser.parse_args()
    if args.command == "missing":  # for make: the Debian packages to install
        print(" ".join(missing_binaries()))
    elif args.command == "start":
        try:
            cluster = start(args.state, nginx_port=args.port)
        except (ClusterError, subprocess.CalledProcessError) as error:
            sys.exit(f"make cluster: {error}")
        print(f"\nCocreate runs at {cluster.url}/  (self-signed certificate: accept it once)")
        print(f"Logs: {cluster.state / 'logs'}")
        print("Stop it with: make cluster-stop")
    else:
        if not (args.state / "cluster.json").exists():
            print("No cluster state here: nothing to stop.")
            return
        stopped = stop(Cluster.load(args.state.resolve()), progress=print)
        if not stopped:
            print("Nothing was running.")


if __name__ == "__main__":
    main()
