"""`make bench`: run every bench/bench_*.py in turn and print their tables.

Each benchmark measures bpcourse against its named peer (micrograd, torch, hand-written numpy)
in the same run and prints figures and ratios. Nothing here is a pass/fail test.
"""
from __future__ import annotations

import platform
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def machine_summary() -> str:
    import numpy as np
    from threadpoolctl import threadpool_info

    lines = [f"Python {platform.python_version()} on {platform.machine()}, {platform.processor() or 'cpu'}",
             f"numpy {np.__version__}"]
    for pool in threadpool_info():
        lines.append(f"  {pool['internal_api']} {pool.get('version')} ({pool['user_api']}), "
                     f"kernel {pool.get('architecture')}, {pool['num_threads']} threads: {pool['filepath']}")
    return "\n".join(lines)


def main() -> int:
    print(machine_summary(), flush=True)
    failed = []
    for script in sorted(HERE.glob("bench_*.py")):
        print(f"\n=== {script.name} ===", flush=True)
        if subprocess.run([sys.executable, str(script)], cwd=HERE.parent).returncode != 0:
            failed.append(script.name)
    if failed:
        print(f"\nbenchmarks that crashed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
