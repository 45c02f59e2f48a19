"""Memory and CPU limits for one sandbox without cgroups (stdlib only): a thread in the worker.

Without root there is no memory or cpu cgroup, and ``RLIMIT_AS`` bounds one process's address
space only. The worker sits outside the sandbox and sees all of its processes: they are the
descendants of the bubblewrap process it started (orphans are adopted by the sandbox's own init,
which is one of them). Every ``interval`` (50 ms; 10 ms once the sandbox holds more than half its
memory budget) the watchdog

- **memory**: sums the anonymous and shared-memory pages of every process of the sandbox
  (``RssAnon + RssShmem`` of ``/proc/PID/status``) plus what its tmpfs folders hold (``/tmp``,
  ``/var/tmp``, ``/dev/shm``, its home, seen through ``/proc/<its init>/root``, and the folder it
  shares with the worker), plus each socket of its network namespace at its default buffers
  (``sockets_kb``) and each descriptor slot at a pipe's smallest buffer (``status_kb``): what the
  kernel holds outside any process's pages. Forked processes count the pages they share with
  their parent once each, so when that sum passes the budget the exact figure is computed (proportional set size,
  ``Pss_Anon + Pss_Shmem`` of ``smaps_rollup``, carried forward per process while it only grows
  by faulting in pages of its own, see ``exact_kb``). Over the budget, the sandbox is stopped,
  counted whole (the figure reported), and killed (SIGKILL to every process and its init); the
  worker reports ``memory limit``.
- with a memory cgroup (root), only its count of OOM kills is watched: the first one ends the
  whole sandbox with the same ``memory limit``, not only the process the kernel's OOM killer chose.
- **CPU** (``cpulimit``'s method): adds up the CPU time its processes used (their own and that
  of the children they reaped) and keeps a debt against ``cpus`` cores of wall time. A sandbox
  more than 0.1 s in debt is stopped (SIGSTOP, which a process cannot catch or ignore) for as
  long as its share needs to pay the debt back, then continued. And since on a machine too busy
  to give it even its share a swarm of k runnable processes would still take k shares from the
  kernels beside it, a sandbox that keeps at least 3 processes runnable for a second (k on
  average) gets nice log(k)/log(1.25) (19 for 64) on every thread, so that together they weigh
  about as much as one process; back to 0 when its demand ends, where the user's ``RLIMIT_NICE``
  allows it. The sandbox cannot change its own nice value (the seccomp filter refuses
  ``setpriority`` and ``sched_setattr``). A kernel that stays within its share (an honest kernel
  runs one thread of computation) is never stopped or reniced.

Signals go through pidfds opened and checked against the process's start time, so a pid that
was reused by another process in the meantime is never signalled; nothing outside the sandbox's
process tree (the worker itself included) is ever stopped, reniced or killed.
"""
from __future__ import annotations

import math
import os
import signal
import threading
import time

TICK = os.sysconf("SC_CLK_TCK")
KB = 1024


def children(pid: int) -> list[int]:
    """The children of every thread of ``pid`` (``/proc/PID/task/TID/children``)."""
    found = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/children", "rb") as f:
                found += [int(x) for x in f.read().split()]
        except OSError:
            pass
    return found


# /proc/PID/task/TID/children needs CONFIG_PROC_CHILDREN; without it, the parent of every process.
HAVE_CHILDREN = os.path.exists(f"/proc/self/task/{os.getpid()}/children")


def children_by_scan() -> dict[int, list[int]]:
    """{parent pid: its children} from every /proc/PID/stat (where the children files are missing)."""
    found: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat", "rb") as f:
                    raw = f.read()
            except OSError:
                continue
            found.setdefault(int(raw[raw.rfind(b")") + 2:].split()[1]), []).append(int(name))
    return found


def descendants(root: int) -> list[int]:
    """Every process below ``root`` (not ``root`` itself), parents before children."""
    tree = None if HAVE_CHILDREN else children_by_scan()
    out, todo, seen = [], [root], {root}
    while todo:
        parent = todo.pop()
        for child in children(parent) if tree is None else tree.get(parent, []):
            if child not in seen:
                seen.add(child)
                out.append(child)
                todo.append(child)
    return out


def stat(pid: int) -> dict | None:
    """CPU seconds (own, and of reaped children), page faults, start time, nice of one process."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            raw = f.read()
    except OSError:
        return None
    fields = raw[raw.rfind(b")") + 2:].split()  # after the command name, which may hold spaces
    # fields[0] is field 3 (state) of proc(5): minflt 10, majflt 12, utime 14 .. cstime 17, nice 19, starttime 22
    return {"own": (int(fields[11]) + int(fields[12])) / TICK, "reaped": (int(fields[13]) + int(fields[14])) / TICK,
            "faults": int(fields[7]) + int(fields[9]), "start": int(fields[19]), "nice": int(fields[16]),
            "running": fields[0] == b"R"}


def resident_kb(pid: int) -> int:
    """RssAnon + RssShmem (kB) of one process: its pages, shared ones counted in full."""
    return status_kb(pid)[0]


def status_kb(pid: int) -> tuple[int, int]:
    """(RssAnon + RssShmem, FDSize x ``PIPE_KB``) in kB, from one read of ``/proc/PID/status``.
    FDSize (the size of its table of file descriptors) bounds how many it holds open, and so how
    many pipes: past the user's ``fs.pipe-user-pages-soft`` (64 MB) a new pipe holds 2 pages, the
    seccomp filter refuses to grow one, and a pipe is two descriptors."""
    resident = slots = 0
    try:
        with open(f"/proc/{pid}/status", "rb") as f:
            for line in f:
                if line.startswith((b"RssAnon:", b"RssShmem:")):
                    resident += int(line.split()[1])
                elif line.startswith(b"FDSize:"):
                    slots = int(line.split()[1])
    except OSError:
        pass
    return resident, slots * PIPE_KB


def proportional_kb(pid: int) -> int:
    """Pss_Anon + Pss_Shmem (kB): each shared page divided among the processes that share it."""
    total = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as f:
            for line in f:
                if line.startswith((b"Pss_Anon:", b"Pss_Shmem:")):
                    total += int(line.split()[1])
    except OSError:
        pass
    return total


def _socket_kb() -> int:
    """What one socket may hold with its default buffers (kB): its send and receive buffers."""
    total = 0
    for name in ("wmem_default", "rmem_default"):
        try:
            with open(f"/proc/sys/net/core/{name}") as f:
                total += int(f.read())
        except (OSError, ValueError):
            total += 212992  # Linux's default
    return total // KB


SOCKET_KB = _socket_kb()
PIPE_KB = 8  # per descriptor: 2 pages per pipe past the soft limit, charged to each of its two ends


def folder_used_kb(path: str) -> int:
    try:
        st = os.statvfs(path)
    except OSError:
        return 0
    return (st.f_blocks - st.f_bfree) * st.f_frsize // KB


class Watchdog(threading.Thread):
    """Watch the processes below ``root`` (the bubblewrap process the worker started)."""

    def __init__(self, root: int, memory_mb: int | None, cpus: float | None, folders=(), shared=(),
                 interval: float = 0.05, slack_s: float = 0.1, oom=None):
        super().__init__(name="bpcourse-watchdog", daemon=True)
        self.root = root
        self.budget_kb = int(memory_mb) * KB if memory_mb else None
        self.cpus = float(cpus) if cpus else None
        self.folders = tuple(folders)  # paths inside the sandbox, seen through its init's root
        self.shared = tuple(shared)  # paths the worker sees directly
        self.interval, self.slack_s = interval, slack_s
        self.oom = oom  # with a memory cgroup: (count of its OOM kills, message); any kill ends the sandbox
        self.verdict: tuple[str, str] | None = None  # (status, message) once it killed the sandbox
        self.peak_kb = 0
        self._last_kb = 0
        self.stops = 0
        self.stopped_s = 0.0
        self._halt = threading.Event()
        host = os.stat("/")
        self._host_root = (host.st_dev, host.st_ino)
        self._host_net = os.stat("/proc/self/ns/net").st_ino
        self._exact: dict[int, tuple[int, int, int, int]] = {}  # pid -> (start, faults, resident kB, Pss kB)
        self._seen: dict[int, tuple[int, float, float]] = {}  # pid -> (start, own, reaped CPU seconds)
        self._vanished_s = 0.0  # CPU of processes gone since; their parent's "reaped" time will include it
        self._debt = 0.0
        self._measured: float | None = None
        self._niced: dict[int, int] = {}  # thread -> the nice value we gave it
        self._nice = self._max_nice = 0
        self._demand: list[int] = []  # runnable processes at each look of the last second

    # ------------------------------------------------------------------ thread
    def stop(self) -> None:
        self._halt.set()
        if self.is_alive() and threading.current_thread() is not self:
            self.join(timeout=5)

    def run(self) -> None:
        wait = self.interval
        while not self._halt.wait(wait):
            began, paused = time.monotonic(), self.stopped_s
            self.tick()
            if self.verdict:
                return
            # A sweep over hundreds of processes costs CPU outside the sandbox: at most a fifth of a core
            # (the time the sandbox stood stopped is no cost of ours).
            interval = self.interval
            if self.budget_kb is not None and self._last_kb > self.budget_kb // 2:
                interval = self.interval / 5  # past half the budget: a balloon gets 10 ms, not 50, between looks
            wait = max(interval, 4 * (time.monotonic() - began - (self.stopped_s - paused)))

    def tick(self) -> None:
        """One look at the sandbox."""
        if self.oom is not None and self.oom[0]():
            # The cgroup killed one of its processes: end the whole sandbox, as without a cgroup.
            self.verdict = ("memory limit", self.oom[1])  # before the kill: the worker reads it then
            self.kill()
            return
        if self.budget_kb is None and self.cpus is None:
            return
        pids = descendants(self.root)
        if not pids:
            return
        now = time.monotonic()
        stats = {pid: s for pid in pids if (s := stat(pid)) is not None}
        if self.budget_kb is not None and self.memory(pids, stats):
            return
        if self.cpus is not None:
            self.cpu(stats, now)

    # ------------------------------------------------------------------ memory
    def memory(self, pids: list[int], stats: dict) -> bool:
        """Check the budget; kill the sandbox and return True if it is exceeded."""
        status = {pid: status_kb(pid) for pid in stats}
        resident = {pid: r for pid, (r, _) in status.items()}
        files = (self.sandbox_files_kb(pids[0]) + self.sockets_kb(pids[0]) + sum(p for _, p in status.values())
                 + sum(folder_used_kb(path) for path in self.shared))
        used = files + sum(resident.values())
        if used > self.budget_kb:  # an upper bound: pages shared after a fork count once per process
            used = files
            for pid in sorted(resident, key=resident.get, reverse=True):
                used += self.exact_kb(pid, stats[pid], resident[pid])
                if used > self.budget_kb:
                    break  # over it already: no need to read the rest
            for pid in set(self._exact) - set(stats):
                del self._exact[pid]
        self._last_kb = used
        if used <= self.budget_kb:
            self.peak_kb = max(self.peak_kb, used)
            return False
        # Over: freeze the sandbox (nothing grows while we count), take the whole figure, then kill.
        held = self._stop_all()
        try:
            stats = {pid: s for pid in descendants(self.root) if (s := stat(pid)) is not None}
            used = max(used, files + sum(self.exact_kb(pid, s, resident_kb(pid)) for pid, s in stats.items()))
            self.peak_kb = max(self.peak_kb, used)
        finally:  # the verdict first: the worker reads it as soon as it sees the kernel dead
            self.verdict = ("memory limit",
                            f"the kernel and its processes used {used // KB} MB of memory (processes, shared "
                            f"memory, temporary files, socket and pipe buffers), over the limit of "
                            f"{self.budget_kb // KB} MB")
            self.kill()
            for fd in held.values():
                if fd >= 0:
                    os.close(fd)
        return True

    def exact_kb(self, pid: int, s: dict, resident: int) -> int:
        """One process's proportional share of its pages. ``smaps_rollup`` walks every page (about
        3 ms for 200 MB), so it is read again only when needed: pages it gained since by faulting
        them in are its own (its share grew by as much as its resident size), so the figure is
        carried forward; a copy-on-write break faults without growing the resident size, and pages
        freed may have been shared: either one means a new reading."""
        cached = self._exact.get(pid)
        if cached is not None and cached[0] == s["start"]:
            _, faults, was_resident, share = cached
            grown = resident - was_resident
            if grown >= 0 and s["faults"] - faults <= grown // 4 + 256:  # 4 kB pages, plus 1 MB of slack
                return share + grown
        share = proportional_kb(pid)
        self._exact[pid] = (s["start"], s["faults"], resident, share)
        return share

    def sockets_kb(self, init: int) -> int:
        """Socket buffers: every socket of the sandbox's network namespace (``sockets: used`` of its
        ``/proc/<init>/net/sockstat``: held by an fd, in flight in a unix message, or closing),
        charged the most its default buffers hold (``SOCKET_KB``). The seccomp filter allows only
        unix and netlink sockets and refuses larger buffers, so none holds more. Only once the
        sandbox has a network namespace of its own (before, the count is the machine's)."""
        try:
            if os.stat(f"/proc/{init}/ns/net").st_ino == self._host_net:
                return 0
            with open(f"/proc/{init}/net/sockstat", "rb") as f:
                first = f.readline().split()  # b"sockets: used N"
            return int(first[2]) * SOCKET_KB if first[:2] == [b"sockets:", b"used"] else 0
        except (OSError, ValueError, IndexError):
            return 0

    def sandbox_files_kb(self, init: int) -> int:
        """What the sandbox's own tmpfs folders hold, seen through its init's root. Only once
        bubblewrap has built that root, and only folders that are mounts of their own: before
        that, the same paths are the machine's /tmp and /var/tmp, which are not the kernel's."""
        base = f"/proc/{init}/root"
        try:
            root = os.stat(base)
        except OSError:
            return 0
        if (root.st_dev, root.st_ino) == self._host_root:
            return 0
        used = 0
        for folder in self.folders:
            try:
                if os.stat(base + folder).st_dev == root.st_dev:
                    continue
            except OSError:
                continue
            used += folder_used_kb(base + folder)
        return used

    # ------------------------------------------------------------------ CPU
    def cpu(self, stats: dict, now: float) -> None:
        """Charge the CPU time used since the previous look (at ``self._measured``) against the share."""
        wall = now - (self._measured if self._measured is not None else now - self.interval)
        self._measured = now
        used = 0.0
        reaped_growth = 0.0
        current = {}
        for pid, s in stats.items():
            before = self._seen.get(pid)
            if before is None or before[0] != s["start"]:
                # New since the last look: all its own time is new; what it reaped belonged to processes
                # we saw (counted already) or to ones that lived less than a look.
                used += s["own"]
            else:
                used += s["own"] - before[1]
                reaped_growth += max(0.0, s["reaped"] - before[2])
            current[pid] = (s["start"], s["own"], s["reaped"])
        for pid, (_, own, reaped) in self._seen.items():
            if pid not in current:
                self._vanished_s += own + reaped  # counted already; its parent's reaped time will repeat it
        credit = min(self._vanished_s, reaped_growth)
        self._vanished_s -= credit
        used += reaped_growth - credit
        self._seen = current
        self._debt = max(0.0, self._debt + used - self.cpus * wall)
        # Demand, not only use: k processes wanting a CPU should weigh as one (a swarm on a machine too
        # busy to give it even its share would otherwise take k shares from the kernels beside it).
        # Judged over the last second, so that a short burst of forks is left alone.
        self._demand.append(sum(s["running"] for s in stats.values()))
        del self._demand[:-max(1, round(1.0 / self.interval))]
        busy = [n for n in self._demand if n >= self.cpus + 2]
        if len(self._demand) * 0.9 <= len(busy) and len(self._demand) >= round(1.0 / self.interval):
            k = sum(self._demand) / len(self._demand) / self.cpus
            self.renice(stats, max(self._nice, min(19, round(math.log(k) / math.log(1.25)))))
        elif self._nice and not busy:
            self.renice(stats, 0)  # its demand ended; where the user's RLIMIT_NICE allows it
        elif self._nice:
            self.renice(stats, self._nice)  # threads and processes started since
        if self._debt > self.slack_s:
            self.pause(min(self._debt / self.cpus, 1.0))
            self._measured = time.monotonic()  # the pause was credited in pause(): not twice

    @property
    def demoted(self) -> int:
        """The highest nice value it gave the sandbox (0: never)."""
        return self._max_nice

    def renice(self, stats: dict, nice: int) -> None:
        """Give every thread of the sandbox this nice value: CFS weighs a thread about 1.25 times
        less per step, so k runnable processes at nice log(k)/log(1.25) weigh about as much as one.
        The sandbox cannot change it (seccomp refuses setpriority and sched_setattr). Giving
        it back needs the thread's RLIMIT_NICE at 20 (the launcher asks for it; a hard limit of 0,
        the usual default, keeps it where it is)."""
        self._max_nice = max(self._max_nice, nice)
        restored = True
        for pid in stats:
            try:
                tids = [int(t) for t in os.listdir(f"/proc/{pid}/task")]
            except OSError:
                continue
            for tid in tids:
                if self._niced.get(tid) == nice:
                    continue
                try:
                    os.setpriority(os.PRIO_PROCESS, tid, nice)
                    self._niced[tid] = nice
                except OSError:
                    restored = False
        if nice or restored:
            self._nice = nice

    def pause(self, seconds: float) -> None:
        """SIGSTOP every process of the sandbox for ``seconds``, then SIGCONT them."""
        held = self._stop_all()
        try:
            began = time.monotonic()
            self._halt.wait(seconds)
            paused = time.monotonic() - began
            self.stopped_s += paused
            self.stops += 1
            self._debt = max(0.0, self._debt - self.cpus * paused)  # its share accrued while it stood still
        finally:
            for pid, fd in held.items():
                self._send(fd, pid, signal.SIGCONT)
                if fd >= 0:
                    os.close(fd)

    def _stop_all(self) -> dict[int, int]:
        """SIGSTOP every process of the sandbox; {pid: its pidfd (-1 without pidfds)}."""
        held: dict[int, int] = {}
        for _ in range(5):  # a process forked while we were stopping the others
            fresh = [pid for pid in descendants(self.root) if pid not in held]
            if not fresh:
                break
            for pid in fresh:
                fd = self._pidfd(pid)
                if fd is not None:
                    held[pid] = fd
                    self._send(fd, pid, signal.SIGSTOP)
        return held

    # ------------------------------------------------------------------ signals
    def _pidfd(self, pid: int) -> int | None:
        """A pidfd for ``pid`` if it is still the process of the sandbox we saw (same start time,
        still below our root)."""
        s = stat(pid)
        if s is None:
            return None
        try:
            fd = os.pidfd_open(pid)
        except (OSError, AttributeError):
            return -1  # no pidfds (Linux < 5.3): plain kill, checked just before
        again = stat(pid)
        if again is None or again["start"] != s["start"]:
            os.close(fd)
            return None
        return fd

    @staticmethod
    def _send(fd: int, pid: int, sig: int) -> None:
        try:
            if fd >= 0:
                signal.pidfd_send_signal(fd, sig)
            else:
                os.kill(pid, sig)
        except OSError:
            pass

    def kill(self) -> None:
        """SIGKILL the whole sandbox: its init first (the pid namespace dies with it), then the rest."""
        for _ in range(3):
            pids = descendants(self.root)
            if not pids:
                break
            for pid in pids:
                fd = self._pidfd(pid)
                if fd is not None:
                    self._send(fd, pid, signal.SIGKILL)
                    if fd >= 0:
                        os.close(fd)
        try:
            os.kill(self.root, signal.SIGKILL)  # our own child: its pid cannot be reused before we reap it
        except OSError:
            pass
