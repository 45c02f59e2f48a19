"""The seccomp filter every sandboxed kernel runs under (stdlib only), handed to bubblewrap as
``--seccomp FD``.

A classic-BPF program, packed here as ``struct sock_filter`` records (no libseccomp). It makes
the system calls a learner's kernel has no honest use for fail with EPERM:

- memory the per-process address-space limit does not see: ``memfd_create``/``memfd_secret``
  and System V shared memory (``shmget``, ``shmat``, ``shmctl``);
- buffers the watchdog can only count, not see: sockets other than unix and netlink (a TCP
  connection on the sandbox's loopback autotunes to MBs), socket buffers above the default
  (``setsockopt`` ``SO_SNDBUF``/``SO_RCVBUF``/``*FORCE``) and larger pipes (``F_SETPIPE_SZ``);
- new sessions (``setsid``): each kernel is one scheduler autogroup (bwrap ``--new-session``),
  and a process that could start a session of its own would be a group of its own;
- its own nice value (``setpriority``, and ``sched_setattr``, which can set one): the worker's
  watchdog lowers a swarm's priority, and only it may raise it. ``sched_setscheduler`` stays
  allowed: zmq's threads set SCHED_OTHER on themselves, which keeps the nice value, and a
  real-time policy needs an ``RLIMIT_RTPRIO`` the kernel does not have;
- ways out of or around the sandbox: ``mount`` and the new mount API, ``pivot_root``, ``chroot``,
  ``unshare``, ``setns``, ``clone`` with a namespace flag (nested user namespaces), ``ptrace``,
  ``process_vm_readv/writev``, ``bpf``, ``perf_event_open``, ``userfaultfd``, the kernel keyring
  (``keyctl``, ``add_key``, ``request_key``), ``io_uring`` (its operations bypass seccomp) and
  file handles (``open_by_handle_at``).

``clone3`` passes its flags in memory a filter cannot read, so it gets ENOSYS: glibc then falls
back to ``clone``, whose flags are checked. A process of another architecture (x86 32-bit or x32
system calls from an x86_64 process) is killed. Everything else is allowed.
"""
from __future__ import annotations

import errno
import os
import platform
import struct

# linux/filter.h and linux/seccomp.h
BPF_LD, BPF_JMP, BPF_RET = 0x00, 0x05, 0x06
BPF_W, BPF_ABS, BPF_K = 0x00, 0x20, 0x00
BPF_JEQ, BPF_JGE, BPF_JSET = 0x10, 0x30, 0x40
SECCOMP_RET_KILL_PROCESS = 0x80000000
SECCOMP_RET_ERRNO = 0x00050000
SECCOMP_RET_ALLOW = 0x7FFF0000
# struct seccomp_data: int nr; __u32 arch; __u64 instruction_pointer; __u64 args[6]
OFFSET_NR, OFFSET_ARCH = 0, 4
OFFSET_ARG0_LOW, OFFSET_ARG1_LOW, OFFSET_ARG2_LOW = 16, 24, 32  # low halves (both arches are little-endian)

AUDIT_ARCH = {"x86_64": 0xC000003E, "aarch64": 0xC00000B7}
X32_SYSCALL_BIT = 0x40000000
# setsockopt(fd, SOL_SOCKET, name, ...) with a buffer size: SO_SNDBUF, SO_RCVBUF, SO_SNDBUFFORCE, SO_RCVBUFFORCE
# (the same numbers on x86_64 and aarch64); fcntl(fd, F_SETPIPE_SZ, ...).
SOL_SOCKET = 1
SOCKET_FAMILIES = (1, 16)  # AF_UNIX (zmq's ipc transport), AF_NETLINK (glibc asks it for addresses)
SOCKET_BUFFER_OPTIONS = (7, 8, 32, 33)
F_SETPIPE_SZ = 1031
CLONE_NAMESPACES = (0x00020000 | 0x02000000 | 0x04000000 | 0x08000000  # NEWNS, NEWCGROUP, NEWUTS, NEWIPC
                    | 0x10000000 | 0x20000000 | 0x40000000)  # NEWUSER, NEWPID, NEWNET

BLOCKED = ("memfd_create", "memfd_secret", "shmget", "shmat", "shmctl", "setsid", "keyctl", "add_key",
           "request_key", "bpf", "perf_event_open", "userfaultfd", "ptrace", "process_vm_readv",
           "process_vm_writev", "mount", "umount2", "pivot_root", "chroot", "unshare", "setns",
           "io_uring_setup", "io_uring_enter", "io_uring_register", "open_tree", "move_mount", "fsopen",
           "fsconfig", "fsmount", "fspick", "mount_setattr", "open_by_handle_at", "setpriority",
           "sched_setattr")

# From the kernel's syscall tables (asm/unistd_64.h; asm-generic/unistd.h for aarch64).
SYSCALLS = {
    "x86_64": {"shmget": 29, "shmat": 30, "shmctl": 31, "clone": 56, "ptrace": 101, "setsid": 112,
               "setpriority": 141, "pivot_root": 155, "chroot": 161, "mount": 165, "umount2": 166,
               "add_key": 248, "request_key": 249, "keyctl": 250, "unshare": 272, "perf_event_open": 298,
               "open_by_handle_at": 304, "setns": 308, "process_vm_readv": 310, "process_vm_writev": 311,
               "sched_setattr": 314, "memfd_create": 319, "setsockopt": 54, "fcntl": 72, "socket": 41,
               "socketpair": 53, "bpf": 321, "userfaultfd": 323},
    "aarch64": {"umount2": 39, "mount": 40, "pivot_root": 41, "chroot": 51, "unshare": 97, "ptrace": 117,
                "setpriority": 140, "setsid": 157, "shmget": 194, "shmctl": 195, "shmat": 196, "add_key": 217,
                "request_key": 218, "keyctl": 219, "clone": 220, "perf_event_open": 241, "open_by_handle_at": 265,
                "setns": 268, "process_vm_readv": 270, "process_vm_writev": 271, "sched_setattr": 274,
                "memfd_create": 279, "bpf": 280, "userfaultfd": 282,
                "setsockopt": 208, "fcntl": 25, "socket": 198, "socketpair": 199},
}
COMMON = {"io_uring_setup": 425, "io_uring_enter": 426, "io_uring_register": 427, "open_tree": 428,
          "move_mount": 429, "fsopen": 430, "fsconfig": 431, "fsmount": 432, "fspick": 433, "clone3": 435,
          "mount_setattr": 442, "memfd_secret": 447}  # the same number on every architecture since 5.x
for _table in SYSCALLS.values():
    _table.update(COMMON)


def machine() -> str:
    name = platform.machine().lower()
    return {"amd64": "x86_64", "arm64": "aarch64"}.get(name, name)


def supported() -> bool:
    return machine() in AUDIT_ARCH


def _insn(code: int, k: int, jt: int = 0, jf: int = 0) -> tuple:
    return (code, jt, jf, k)


def program(arch: str | None = None) -> list[tuple]:
    """The filter as (code, jt, jf, k) instructions, for the machine's architecture."""
    arch = arch or machine()
    table = SYSCALLS[arch]
    eperm = SECCOMP_RET_ERRNO | errno.EPERM
    insns = [_insn(BPF_LD | BPF_W | BPF_ABS, OFFSET_ARCH),
             _insn(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH[arch], jt=1, jf=0),
             _insn(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
             _insn(BPF_LD | BPF_W | BPF_ABS, OFFSET_NR)]
    if arch == "x86_64":  # x32 system calls share the arch value, with a high bit set in the number
        insns += [_insn(BPF_JMP | BPF_JGE | BPF_K, X32_SYSCALL_BIT, jt=0, jf=1),
                  _insn(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS)]
    # clone3: ENOSYS (glibc retries with clone); clone: EPERM if any namespace flag is set.
    arguments = argument_checks(table)
    skip = len(arguments) + len(BLOCKED)  # from just after the clone check to the ALLOW return
    insns += [_insn(BPF_JMP | BPF_JEQ | BPF_K, table["clone3"], jt=0, jf=1),
              _insn(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | errno.ENOSYS),
              _insn(BPF_JMP | BPF_JEQ | BPF_K, table["clone"], jt=0, jf=3),
              _insn(BPF_LD | BPF_W | BPF_ABS, OFFSET_ARG0_LOW),
              _insn(BPF_JMP | BPF_JSET | BPF_K, CLONE_NAMESPACES, jt=skip + 2, jf=skip + 1),
              _insn(BPF_LD | BPF_W | BPF_ABS, OFFSET_NR)]  # reached by every call that is not clone
    insns += arguments
    # Then one comparison per blocked call, each jumping to the EPERM return at the end.
    for i, name in enumerate(BLOCKED):
        insns.append(_insn(BPF_JMP | BPF_JEQ | BPF_K, table[name], jt=len(BLOCKED) - i, jf=0))
    insns += [_insn(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
              _insn(BPF_RET | BPF_K, eperm)]
    return insns


def argument_checks(table: dict) -> list[tuple]:
    """Buffers the watchdog cannot see. Sockets of any family but AF_UNIX and AF_NETLINK get EPERM
    (``socket``, ``socketpair``): the sandbox has no network, and a TCP connection on its loopback
    grows its buffers to 2.8 MB by itself (autotuning), against a machine-wide TCP limit. A
    socket's send or receive buffer set above the default (``setsockopt`` at ``SOL_SOCKET``) and a
    pipe's (``fcntl(F_SETPIPE_SZ)``) get EPERM; every other option and command is allowed.
    Entered with the call's number loaded; leaves it loaded for the calls it does not check."""
    eperm = SECCOMP_RET_ERRNO | errno.EPERM
    options = len(SOCKET_BUFFER_OPTIONS)
    families = len(SOCKET_FAMILIES)
    insns = []
    for call in ("socket", "socketpair"):  # 2 + families + 2 instructions each
        insns += [_insn(BPF_JMP | BPF_JEQ | BPF_K, table[call], jt=0, jf=families + 3),
                  _insn(BPF_LD | BPF_W | BPF_ABS, OFFSET_ARG0_LOW)]
        insns += [_insn(BPF_JMP | BPF_JEQ | BPF_K, family, jt=families - i, jf=0)
                  for i, family in enumerate(SOCKET_FAMILIES)]
        insns += [_insn(BPF_RET | BPF_K, eperm), _insn(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)]
    # setsockopt: 4 + options + 2 instructions; fcntl: 5.
    insns += [_insn(BPF_JMP | BPF_JEQ | BPF_K, table["setsockopt"], jt=0, jf=options + 5),
             _insn(BPF_LD | BPF_W | BPF_ABS, OFFSET_ARG1_LOW),
             _insn(BPF_JMP | BPF_JEQ | BPF_K, SOL_SOCKET, jt=0, jf=options + 1),
             _insn(BPF_LD | BPF_W | BPF_ABS, OFFSET_ARG2_LOW)]
    for i, option in enumerate(SOCKET_BUFFER_OPTIONS):
        insns.append(_insn(BPF_JMP | BPF_JEQ | BPF_K, option, jt=options - i, jf=0))
    insns += [_insn(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
              _insn(BPF_RET | BPF_K, eperm),
              _insn(BPF_JMP | BPF_JEQ | BPF_K, table["fcntl"], jt=0, jf=4),
              _insn(BPF_LD | BPF_W | BPF_ABS, OFFSET_ARG1_LOW),
              _insn(BPF_JMP | BPF_JEQ | BPF_K, F_SETPIPE_SZ, jt=0, jf=1),
              _insn(BPF_RET | BPF_K, eperm),
              _insn(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)]
    return insns


def pack(insns: list[tuple]) -> bytes:
    """``struct sock_filter { __u16 code; __u8 jt; __u8 jf; __u32 k; }`` records, native order."""
    return b"".join(struct.pack("=HBBI", *i) for i in insns)


def filter_fd() -> int:
    """A pipe's read end holding the filter (bubblewrap reads it to EOF); the caller passes it on
    to bubblewrap and closes it afterwards."""
    data = pack(program())
    read, write = os.pipe()
    try:
        os.write(write, data)  # a few hundred bytes: far below a pipe's buffer
    finally:
        os.close(write)
    return read
