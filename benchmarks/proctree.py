"""A measured subprocess: wall time, CPU time and peak memory of a command and of every process
below it, for the ingest, reparse and export benchmarks.

The process's own rusage (``wait4``) counts it and what it waited for. Its parser processes are
its forkserver's children, and the forkserver and the resource tracker outlive it, so none of
them is ever waited for by it: their CPU and peak RSS are polled from ``/proc`` while it runs
(`TreePeak`), each descendant as last seen. The last interval of a descendant's life is missed
(it is idle then: the pool shutting down).
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any


def _status_kib(pid: int, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _descendants(pid: int) -> set[int]:
    """Every process below `pid`, from the kernel's children lists (no scan of /proc)."""
    found: set[int] = set()
    todo = [pid]
    while todo:
        parent = todo.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            try:
                children = (task / "children").read_text().split()
            except OSError:
                continue
            for child in map(int, children):
                if child not in found:
                    found.add(child)
                    todo.append(child)
    return found


def _cpu_s(pid: int) -> float:
    """User + system CPU seconds `pid` has used so far (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class TreePeak:
    """Polls, while a process runs, the peak RSS (VmHWM) of it and of each of its descendants,
    and each descendant's CPU time as last seen. The descendants' CPU is what the process's
    own rusage misses: its parser processes are the forkserver's children, and the
    forkserver and the resource tracker outlive it, so none of them is ever waited for by it.
    The last interval of a descendant's life is missed (it is idle then: the pool shutting
    down)."""

    def __init__(self, pid: int, interval: float = 0.1) -> None:
        self.pid, self.interval = pid, interval
        self.main_kib = 0
        self.children_kib: dict[int, int] = {}
        self.children_cpu: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._thread.start()

    def _poll(self) -> None:
        while not self._stop.is_set():
            self.main_kib = max(self.main_kib, _status_kib(self.pid, "VmHWM"))
            for child in _descendants(self.pid):
                peak = _status_kib(child, "VmHWM")
                self.children_kib[child] = max(self.children_kib.get(child, 0), peak)
                self.children_cpu[child] = max(self.children_cpu.get(child, 0.0), _cpu_s(child))
            self._stop.wait(self.interval)

    def stop(self) -> dict[str, Any]:
        self._stop.set()
        self._thread.join()
        kids = [k for k in self.children_kib.values() if k]
        return {
            "peak_rss_mib": round(self.main_kib / 1024, 1),
            "children": len(kids),
            "child_peak_rss_mib": round(max(kids, default=0) / 1024, 1),
            "children_rss_sum_mib": round(sum(kids) / 1024, 1),
            "children_cpu_s": round(sum(self.children_cpu.values()), 3),
        }


@dataclass(frozen=True)
class Measured:
    """A finished command: exit code, wall seconds, CPU seconds of the whole tree, the main
    process's peak RSS in MiB, the polled peaks (`TreePeak.stop`), and its output."""

    code: int
    wall: float
    cpu: float
    peak_rss_mib: float
    tree: dict[str, Any]
    stdout: str
    stderr: str


def measured(argv: list[str], cwd: Path, env: dict[str, str], *, interval: float = 0.2) -> Measured:
    """Run `argv` to its end, polling its tree every `interval` seconds."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=out, stderr=err)
        tree = TreePeak(proc.pid, interval=interval)
        os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOWAIT)  # the last poll sees it all
        wall = time.perf_counter() - start
        peaks = tree.stop()
        _, status, usage = os.wait4(proc.pid, 0)  # its own peak RSS and CPU
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    cpu = usage.ru_utime + usage.ru_stime + peaks["children_cpu_s"]
    code = os.waitstatus_to_exitcode(status)
    return Measured(code, wall, cpu, usage.ru_maxrss / 1024, peaks, stdout, stderr)
