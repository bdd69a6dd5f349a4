"""`make spark-up` and `make spark-down`: a local Spark cluster from the pyspark wheel.

Three processes on 127.0.0.1, each started from the jars of the `pyspark` wheel the project
already installs (no Spark download; Java 17 is the only prerequisite):

- a standalone Master (`org.apache.spark.deploy.master.Master`);
- one Worker, which starts the executors that run the tasks;
- the Thrift JDBC server (`HiveThriftServer2`): the Spark application that dbt's `spark` target
  talks to (profiles.yml, `method: thrift`), with a Hive catalog in a Derby database.

Where things go (docs/engines.md):
- SPARK_WAREHOUSE_DIR (data/spark-warehouse): the tables' Parquet folders and the Derby
  catalog (`metastore_db`). One JVM at a time opens a Derby catalog: while the cluster runs,
  only its Thrift server does.
- SPARK_CLUSTER_DIR (data/spark-cluster): the PID files, the Spark configuration this module
  writes, and the executors' scratch space (shuffle files).
- SPARK_LOG_DIR (logs/spark): one log per process, the executors' logs (`work/`) and Derby's.

`spark-up` starts nothing when a port it needs is taken, and waits until each process answers
(the Master's status page, the Worker registered with it, the Thrift server running a query);
a process that stops while starting stops the start, and what it started is stopped again.
`spark-down` stops exactly the processes whose PID files `spark-up` wrote (each started in its
own process group, which holds the executors the Worker started), never a process by name.
Starting twice or stopping twice says so and changes nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from warehouse.config import PROJECT_DIR

HOST = "127.0.0.1"
ROLES = ("master", "worker", "thriftserver")
MAIN_CLASS = {
    "master": "org.apache.spark.deploy.master.Master",
    "worker": "org.apache.spark.deploy.worker.Worker",
    "thriftserver": "org.apache.spark.sql.hive.thriftserver.HiveThriftServer2",
}
TITLE = {"master": "Master", "worker": "Worker", "thriftserver": "Thrift server"}


class ClusterError(Exception):
    """A problem the user can fix; its text names the problem and the fix."""


def _setting(name: str, default: str) -> str:
    return os.environ.get(name, "").strip() or default


def _folder(name: str, default: str) -> Path:
    value = Path(_setting(name, default))
    return value if value.is_absolute() else PROJECT_DIR / value


def _port(name: str, default: int) -> int:
    value = _setting(name, str(default))
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise ClusterError(f"{name}={value} is not a port number: set it to a free TCP port.")
    return int(value)


@dataclass(frozen=True)
class ClusterSettings:
    """What a local cluster is: its folders, ports and resources, from the environment."""

    warehouse_dir: str
    cluster_dir: str
    log_dir: str
    # Port settings by the environment variable that sets them.
    ports: dict[str, int] = field(default_factory=dict)
    worker_cores: int = 2
    worker_memory: str = "3g"
    executor_memory: str = "2g"
    driver_memory: str = "1g"
    daemon_memory: str = "512m"
    # Spark settings added to the Thrift server's (the benchmark keeps more job history).
    extra_conf: dict[str, str] = field(default_factory=dict)

    @property
    def master_port(self) -> int:
        return self.ports["SPARK_MASTER_PORT"]

    @property
    def thrift_port(self) -> int:
        return self.ports["SPARK_THRIFT_PORT"]

    def urls(self) -> dict[str, str]:
        return {
            "Master UI": f"http://{HOST}:{self.ports['SPARK_MASTER_WEBUI_PORT']}",
            "Worker UI": f"http://{HOST}:{self.ports['SPARK_WORKER_WEBUI_PORT']}",
            "Thrift server's jobs": f"http://{HOST}:{self.ports['SPARK_THRIFT_UI_PORT']}",
            "Thrift JDBC": f"jdbc:hive2://{HOST}:{self.thrift_port}",
        }


def cluster_settings(extra_conf: dict[str, str] | None = None) -> ClusterSettings:
    """The local cluster's settings from the environment (docs/engines.md lists them)."""
    warehouse = _setting("SPARK_WAREHOUSE_DIR", "data/spark-warehouse")
    if "://" in warehouse or warehouse.startswith("file:"):
        raise ClusterError(
            f"SPARK_WAREHOUSE_DIR={warehouse} is a URI: the local cluster keeps its tables and "
            "its Derby catalog in a folder on this machine. Set SPARK_WAREHOUSE_DIR to a "
            "folder; a cluster's object-store warehouse is set on that cluster "
            "(docs/engines.md)."
        )
    return ClusterSettings(
        warehouse_dir=str(_folder("SPARK_WAREHOUSE_DIR", "data/spark-warehouse")),
        cluster_dir=str(_folder("SPARK_CLUSTER_DIR", "data/spark-cluster")),
        log_dir=str(_folder("SPARK_LOG_DIR", "logs/spark")),
        ports={
            "SPARK_MASTER_PORT": _port("SPARK_MASTER_PORT", 7077),
            "SPARK_MASTER_WEBUI_PORT": _port("SPARK_MASTER_WEBUI_PORT", 8080),
            "SPARK_WORKER_WEBUI_PORT": _port("SPARK_WORKER_WEBUI_PORT", 8081),
            "SPARK_THRIFT_PORT": _port("SPARK_THRIFT_PORT", 10000),
            "SPARK_THRIFT_UI_PORT": _port("SPARK_THRIFT_UI_PORT", 4040),
        },
        worker_cores=int(_setting("SPARK_WORKER_CORES", str(os.cpu_count() or 2))),
        worker_memory=_setting("SPARK_WORKER_MEMORY", "3g"),
        executor_memory=_setting("SPARK_EXECUTOR_MEMORY", "2g"),
        driver_memory=_setting("SPARK_DRIVER_MEMORY", "1g"),
        daemon_memory=_setting("SPARK_DAEMON_MEMORY", "512m"),
        extra_conf=dict(extra_conf or {}),
    )


# --- Files -------------------------------------------------------------------------------------


def spark_home() -> Path:
    """The Spark distribution inside the pyspark wheel (bin/spark-class, jars/)."""
    import pyspark

    home = Path(pyspark.__file__).parent
    if not (home / "bin" / "spark-class").exists():
        raise ClusterError(
            f"No Spark launcher in {home}/bin: reinstall the project's environment (make setup)."
        )
    return home


def _conf_dir(settings: ClusterSettings) -> Path:
    return Path(settings.cluster_dir) / "conf"


def _properties_file(settings: ClusterSettings) -> Path:
    return _conf_dir(settings) / "spark-defaults.conf"


def _pid_file(settings: ClusterSettings, role: str) -> Path:
    return Path(settings.cluster_dir) / f"{role}.pid"


def _state_file(settings: ClusterSettings) -> Path:
    return Path(settings.cluster_dir) / "cluster.json"


def _log_file(settings: ClusterSettings, role: str) -> Path:
    return Path(settings.log_dir) / f"{role}.log"


def spark_defaults(settings: ClusterSettings) -> dict[str, str]:
    """The Spark configuration of the cluster's processes (spark-defaults.conf)."""
    warehouse = Path(settings.warehouse_dir)
    return {
        "spark.master": f"spark://{HOST}:{settings.master_port}",
        "spark.driver.host": HOST,
        "spark.driver.bindAddress": HOST,
        "spark.driver.memory": settings.driver_memory,
        "spark.executor.memory": settings.executor_memory,
        "spark.ui.port": str(settings.ports["SPARK_THRIFT_UI_PORT"]),
        # A UI port taken between the check and the start fails the start, not a silent move.
        "spark.port.maxRetries": "0",
        "spark.ui.showConsoleProgress": "false",
        # No REST submission server on the Master (a fixed port, 6066, that nothing here uses).
        "spark.master.rest.enabled": "false",
        "spark.sql.catalogImplementation": "hive",
        "spark.sql.warehouse.dir": str(warehouse),
        "spark.hadoop.javax.jdo.option.ConnectionURL": (
            f"jdbc:derby:;databaseName={warehouse / 'metastore_db'};create=true"
        ),
        "spark.driver.extraJavaOptions": (
            f"-Dderby.stream.error.file={Path(settings.log_dir) / 'derby.log'}"
        ),
        "spark.local.dir": str(Path(settings.cluster_dir) / "scratch"),
        # What DuckDB needs to read the tables in place; dbt's profile sets them per session
        # too, for a cluster that does not (docs/engines.md).
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
        "spark.hadoop.mapreduce.fileoutputcommitter.marksuccessfuljobs": "false",
        **settings.extra_conf,
    }


# Errors only, except the lines that say a process has started or registered.
LOG4J2 = """\
rootLogger.level = error
rootLogger.appenderRef.stdout.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{yyyy-MM-dd HH:mm:ss} %p %c{1}: %m%n%ex
logger.master.name = org.apache.spark.deploy.master.Master
logger.master.level = info
logger.worker.name = org.apache.spark.deploy.worker.Worker
logger.worker.level = info
logger.thrift.name = org.apache.spark.sql.hive.thriftserver.HiveThriftServer2
logger.thrift.level = info
"""


def write_configuration(settings: ClusterSettings) -> None:
    conf = _conf_dir(settings)
    conf.mkdir(parents=True, exist_ok=True)
    lines = [f"{key} {value}" for key, value in spark_defaults(settings).items()]
    _properties_file(settings).write_text("\n".join(lines) + "\n")
    (conf / "log4j2.properties").write_text(LOG4J2)


def command(settings: ClusterSettings, role: str) -> list[str]:
    home = spark_home()
    properties = str(_properties_file(settings))
    master = f"spark://{HOST}:{settings.master_port}"
    if role == "master":
        return [
            str(home / "bin" / "spark-class"),
            MAIN_CLASS[role],
            "--host",
            HOST,
            "--port",
            str(settings.master_port),
            "--webui-port",
            str(settings.ports["SPARK_MASTER_WEBUI_PORT"]),
            "--properties-file",
            properties,
        ]
    if role == "worker":
        return [
            str(home / "bin" / "spark-class"),
            MAIN_CLASS[role],
            master,
            "--host",
            HOST,
            "--cores",
            str(settings.worker_cores),
            "--memory",
            settings.worker_memory,
            "--webui-port",
            str(settings.ports["SPARK_WORKER_WEBUI_PORT"]),
            "--work-dir",
            str(Path(settings.log_dir) / "work"),
            "--properties-file",
            properties,
        ]
    return [
        str(home / "bin" / "spark-submit"),
        "--class",
        MAIN_CLASS[role],
        "--name",
        "Thrift JDBC/ODBC Server (tiktok-one-warehouse)",
        "--master",
        master,
        "--properties-file",
        properties,
        "spark-internal",
        "--hiveconf",
        f"hive.server2.thrift.port={settings.thrift_port}",
        "--hiveconf",
        f"hive.server2.thrift.bind.host={HOST}",
    ]


def _environment(settings: ClusterSettings) -> dict[str, str]:
    env = dict(os.environ)
    # Spark's launcher reads these; the command line and the conf file say the rest.
    for name in ("SPARK_MASTER_HOST", "SPARK_WORKER_DIR", "SPARK_CONF_DIR", "SPARK_HOME"):
        env.pop(name, None)
    env |= {
        "SPARK_HOME": str(spark_home()),
        "SPARK_CONF_DIR": str(_conf_dir(settings)),
        # Every listening socket, the UIs included, on the loopback interface only.
        "SPARK_LOCAL_IP": HOST,
        "SPARK_DAEMON_MEMORY": settings.daemon_memory,
    }
    return env


# --- Processes ---------------------------------------------------------------------------------


def _reap(pid: int) -> None:
    """Collect the exit of a process this Python process started (spark-up run in-process, as
    the benchmark does), so that a process that ended does not linger as a zombie."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def _command_line(pid: int) -> str | None:
    """The command line of a running process, or None when there is no such process (or it
    has ended and not been collected: a zombie)."""
    _reap(pid)
    proc = Path(f"/proc/{pid}")
    if not Path("/proc/self").exists():
        result = subprocess.run(
            ["ps", "-ww", "-o", "args=", "-p", str(pid)], capture_output=True, text=True
        )
        return result.stdout.strip() or None
    for _ in range(30):
        try:
            state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
            line = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except (OSError, IndexError):
            return None
        if state == "Z":
            return None
        if line.strip():
            return line
        # A process between two exec calls (the launcher script, then Java) shows none.
        time.sleep(0.1)
    return None


def _is_ours(settings: ClusterSettings, role: str, pid: int) -> bool:
    """Whether the process is this cluster's `role`: its command line names the role's main
    class and this cluster's configuration file (a PID a finished process left behind may have
    been given to another process since)."""
    line = _command_line(pid)
    return line is not None and MAIN_CLASS[role] in line and str(_properties_file(settings)) in line


def _recorded_pids(settings: ClusterSettings) -> dict[str, int]:
    pids = {}
    for role in ROLES:
        path = _pid_file(settings, role)
        if path.exists():
            text = path.read_text().strip()
            if not text.isdigit():
                raise ClusterError(
                    f"The PID file {path} does not hold a process id ({text[:40]!r}): it was not "
                    "written by make spark-up. Remove it if no Spark process of this cluster "
                    "runs, then run again."
                )
            pids[role] = int(text)
    return pids


def _group_alive(pgid: int) -> bool:
    _reap(pgid)
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _stop_group(pid: int, timeout: float) -> None:
    """Stop the process group a started process leads (it and the processes it started):
    SIGTERM, then SIGKILL after `timeout` seconds."""
    try:
        if os.getpgid(pid) != pid:
            # Not a group leader: not something spark-up started; stop the process alone.
            os.kill(pid, signal.SIGTERM)
            return
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while _group_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    if _group_alive(pid):
        try:
            os.killpg(pid, signal.SIGKILL)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + timeout
        while _group_alive(pid) and time.monotonic() < deadline:
            time.sleep(0.1)


def _port_taken(port: int) -> bool:
    probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        probe.bind((HOST, port))
    except OSError:
        return True
    finally:
        probe.close()
    return False


def _answers(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=2):
            return True
    except OSError:
        return False


def _master_status(settings: ClusterSettings) -> dict | None:
    url = f"http://{HOST}:{settings.ports['SPARK_MASTER_WEBUI_PORT']}/json/"
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return json.loads(response.read())
    except (urllib.error.URLError, OSError, ValueError):
        return None


def _thrift_answers(settings: ClusterSettings) -> bool:
    from pyhive import hive

    if not _answers(settings.thrift_port):
        return False
    try:
        connection = hive.connect(host=HOST, port=settings.thrift_port, username="spark-up")
        try:
            cursor = connection.cursor()
            cursor.execute("select 1")
            return cursor.fetchall() == [(1,)]
        finally:
            connection.close()
    except Exception:  # noqa: BLE001 - not ready yet: any failure means wait
        return False


def _last_error(log: Path) -> str:
    """What went wrong in the last start a log records: its first exception, else its first
    line that is neither information nor the JVM's notice about incubator modules."""
    if not log.exists():
        return "no log written"
    lines = log.read_text(errors="replace").splitlines()
    start = max((i for i, line in enumerate(lines) if line.startswith("--- ")), default=-1)
    candidates = [
        line.strip()
        for line in lines[start + 1 :]
        if line.strip() and " INFO " not in line and not line.startswith("WARNING: Using incubator")
    ]
    exception = next((line for line in candidates if "Exception" in line), None)
    return (exception or (candidates[0] if candidates else "it wrote nothing"))[:300]


# --- Up and down -------------------------------------------------------------------------------


def running(settings: ClusterSettings) -> dict[str, int]:
    """The cluster's processes that run, by role (from the PID files)."""
    return {
        role: pid for role, pid in _recorded_pids(settings).items() if _is_ours(settings, role, pid)
    }


def _describe(settings: ClusterSettings) -> str:
    urls = "; ".join(f"{name} {url}" for name, url in settings.urls().items())
    return f"{urls}. Tables and catalog in {settings.warehouse_dir}; logs in {settings.log_dir}"


def _start(settings: ClusterSettings, role: str) -> subprocess.Popen:
    log = _log_file(settings, role)
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("a") as out:
        out.write(f"--- {time.strftime('%Y-%m-%d %H:%M:%S')} make spark-up starts the {role}\n")
        out.flush()
        process = subprocess.Popen(
            command(settings, role),
            cwd=settings.cluster_dir,
            env=_environment(settings),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    _pid_file(settings, role).write_text(f"{process.pid}\n")
    return process


def _wait(settings: ClusterSettings, role: str, process: subprocess.Popen, timeout: float) -> None:
    ready = {
        "master": lambda: (_master_status(settings) or {}).get("status") == "ALIVE",
        "worker": lambda: (_master_status(settings) or {}).get("aliveworkers", 0) >= 1,
        "thriftserver": lambda: _thrift_answers(settings),
    }[role]
    deadline = time.monotonic() + timeout
    while True:
        if ready():
            return
        if process.poll() is not None:
            raise ClusterError(
                f"The Spark {TITLE[role]} stopped while starting: "
                f"{_last_error(_log_file(settings, role))} (log: {_log_file(settings, role)})."
            )
        if time.monotonic() > deadline:
            raise ClusterError(
                f"The Spark {TITLE[role]} did not answer within {timeout:.0f} s "
                f"(SPARK_START_TIMEOUT; log: {_log_file(settings, role)})."
            )
        time.sleep(1)


def up(settings: ClusterSettings, timeout: float = 300) -> str:
    """Start the cluster, or say that it runs; returns what to print."""
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        raise ClusterError(
            "No Java found (java on PATH or JAVA_HOME): the local Spark cluster needs Java 17 "
            "(docs/engines.md). Install it, e.g. apt-get install openjdk-17-jre-headless."
        )
    pids = _recorded_pids(settings)
    alive = running(settings)
    if alive:
        if set(alive) != set(ROLES):
            stopped = ", ".join(TITLE[role] for role in ROLES if role not in alive)
            raise ClusterError(
                f"The local Spark cluster in {settings.cluster_dir} is partly running "
                f"({stopped} not running): stop it with make spark-down, then make spark-up."
            )
        recorded = _state_file(settings)
        before = json.loads(recorded.read_text()) if recorded.exists() else None
        if before is not None and before != _comparable(settings):
            raise ClusterError(
                f"The local Spark cluster in {settings.cluster_dir} is already running, with "
                f"other settings ({_differences(before, _comparable(settings))}): stop it with "
                "make spark-down to start it with these."
            )
        return (
            "The local Spark cluster is already running (PIDs "
            + ", ".join(f"{TITLE[role]} {pid}" for role, pid in alive.items())
            + f"); nothing started. {_describe(settings)}."
        )
    for role in pids:
        # Left by a cluster that is gone (a reboot, a killed process): spark-up wrote them.
        _pid_file(settings, role).unlink(missing_ok=True)
    taken = [(name, port) for name, port in settings.ports.items() if _port_taken(port)]
    if taken:
        ports = ", ".join(f"{port} ({name})" for name, port in taken)
        names = ", ".join(name for name, _ in taken)
        raise ClusterError(
            (f"Port {ports} on {HOST} is" if len(taken) == 1 else f"Ports {ports} on {HOST} are")
            + f" in use by another process: stop it, or set {names} to a free port. "
            "Nothing was started."
        )
    started = time.monotonic()
    for folder in (settings.cluster_dir, settings.log_dir, settings.warehouse_dir):
        Path(folder).mkdir(parents=True, exist_ok=True)
    write_configuration(settings)
    _state_file(settings).write_text(json.dumps(_comparable(settings), indent=2))
    try:
        for role in ROLES:
            _wait(settings, role, _start(settings, role), timeout)
    except BaseException:
        _down(settings)
        raise
    return (
        f"The local Spark cluster is up in {time.monotonic() - started:.0f} s: "
        f"{_describe(settings)}. Stop it with make spark-down."
    )


def _comparable(settings: ClusterSettings) -> dict:
    return asdict(settings)


def _differences(before: dict, now: dict) -> str:
    changed = [key for key in now if before.get(key) != now[key]]
    return ", ".join(f"{key} {before.get(key)} then, {now[key]} now" for key in changed)


def _down(settings: ClusterSettings, timeout: float = 60) -> list[str]:
    """Stop every process of the PID files (the Thrift server first); returns what it did."""
    done = []
    pids = _recorded_pids(settings)
    for role in reversed(ROLES):
        if role not in pids:
            continue
        pid = pids[role]
        if _is_ours(settings, role, pid):
            _stop_group(pid, timeout)
            done.append(f"{TITLE[role]} (PID {pid}) stopped")
        else:
            done.append(f"{TITLE[role]} (PID {pid}) was not running")
        _pid_file(settings, role).unlink(missing_ok=True)
    _state_file(settings).unlink(missing_ok=True)
    return done


def down(settings: ClusterSettings) -> str:
    if not _recorded_pids(settings):
        return (
            f"No local Spark cluster is running from {settings.cluster_dir} (no PID files): "
            "nothing stopped."
        )
    done = _down(settings)
    return (
        "The local Spark cluster is stopped: "
        + "; ".join(done)
        + f". Its tables and catalog stay in {settings.warehouse_dir}."
    )


def processes(settings: ClusterSettings) -> Iterable[int]:
    """Every process of the running cluster, the executors included (for measurements)."""
    for pid in running(settings).values():
        # The process group spark-up started it in: it and the executors it started.
        result = subprocess.run(["pgrep", "-g", str(pid)], capture_output=True, text=True)
        yield from (int(line) for line in result.stdout.split())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The local Spark cluster (docs/engines.md).")
    parser.add_argument("action", choices=["up", "down", "status"])
    args = parser.parse_args(argv)
    name = f"make spark-{args.action}"
    try:
        settings = cluster_settings()
        if args.action == "up":
            timeout = float(_setting("SPARK_START_TIMEOUT", "300"))
            print(up(settings, timeout))
        elif args.action == "down":
            print(down(settings))
        else:
            alive = running(settings)
            print(
                "running: " + _describe(settings)
                if alive
                else f"not running (SPARK_CLUSTER_DIR={settings.cluster_dir})"
            )
    except ClusterError as error:
        print(f"{name}: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"{name}: interrupted; what it started is stopped.", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
