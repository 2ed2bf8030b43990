"""CPU time and memory of a process (and its children) from Linux's ``/proc``."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")
_TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True, slots=True)
class Memory:
    """Resident memory of a group of processes, in MiB (each summed over the group).

    Attributes:
        rss_mib: Resident set size now (``VmRSS``).
        peak_rss_mib: Each process's high-water mark (``VmHWM``), summed.
    """

    rss_mib: float
    peak_rss_mib: float


def _stat_fields(pid: int) -> list[str]:
    """The fields of ``/proc/<pid>/stat`` after the command name (field 3 onwards)."""
    text = (PROC / str(pid) / "stat").read_text()
    return text[text.rindex(")") + 2 :].split()


def children(pid: int) -> list[int]:
    """The direct children of ``pid`` (gunicorn's workers), found by their parent id."""
    found = []
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int(_stat_fields(int(entry.name))[1])
        except (OSError, ValueError, IndexError):  # gone meanwhile, or not readable
            continue
        if parent == pid:
            found.append(int(entry.name))
    return found


def process_group(pid: int) -> list[int]:
    """``pid`` and its direct children."""
    return [pid, *children(pid)]


def cpu_seconds(pids: Iterable[int]) -> float:
    """User + system CPU time the processes have used so far (10 ms resolution)."""
    total = 0
    for pid in pids:
        try:
            fields = _stat_fields(pid)
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return total / _TICKS_PER_SECOND


def memory(pids: Iterable[int]) -> Memory:
    """Current and peak resident memory of the processes, summed."""
    rss = peak = 0
    for pid in pids:
        try:
            lines = (PROC / str(pid) / "status").read_text().splitlines()
        except OSError:
            continue
        for line in lines:
            if line.startswith("VmRSS:"):
                rss += int(line.split()[1])
            elif line.startswith("VmHWM:"):
                peak += int(line.split()[1])
    return Memory(rss_mib=rss / 1024, peak_rss_mib=peak / 1024)


def machine_busy_seconds() -> float:
    """CPU time every core of the machine has spent busy so far (``/proc/stat``, all tasks)."""
    fields = (PROC / "stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(f) for f in fields[:8])
    return (user + nice + system + irq + softirq + steal) / _TICKS_PER_SECOND
