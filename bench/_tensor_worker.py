"""One engine's process for bench_tensor.py: reads a problem name per line, runs one timed
block, prints the seconds. Each engine lives in its own process so that numpy's and torch's
thread pools never compete inside one interpreter.

    _tensor_worker.py ENGINE THREADS [CLOCK [OLD_DIR]]

ENGINE is bpcourse, torch, numpy, or old: bpcourse imported from OLD_DIR (an unpacked older
commit), which goes first on sys.path."""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path


def main() -> None:
    engine, threads = sys.argv[1], int(sys.argv[2])
    clock = time.process_time if len(sys.argv) > 3 and sys.argv[3] == "cpu" else time.perf_counter
    if engine == "old":
        sys.path.insert(0, sys.argv[4])
    sys.path.insert(1 if engine == "old" else 0, str(Path(__file__).resolve().parent))
    from _tensor_problems import make_problem

    namespace = "bpcourse" if engine == "old" else engine
    make_problem("seed_100_epochs", namespace)  # import the engine before the first timing
    from threadpoolctl import threadpool_info, threadpool_limits

    if threads > 0:
        threadpool_limits(threads)
        if engine == "torch":
            import torch

            torch.set_num_threads(threads)

    pools = [f"{p['internal_api']} {p.get('version')}" + (f" {p['architecture']}" if p.get("architecture") else "")
             + f" {p['num_threads']} threads" for p in threadpool_info()]
    extra, origin = "", ""
    if engine == "torch":
        import torch

        extra = f"; torch intra-op threads {torch.get_num_threads()}"
    if namespace == "bpcourse":
        import bpcourse

        origin = str(Path(bpcourse.__file__).parent)
        if engine == "old" and not origin.startswith(sys.argv[4]):  # the editable install won: say so
            raise SystemExit(f"old engine: bpcourse was imported from {origin}, not from {sys.argv[4]}")
    print(json.dumps({"engine": engine, "pools": "; ".join(pools) + extra, "bpcourse": origin}), flush=True)
    problems = {}
    for line in sys.stdin:
        name = line.strip()
        if not name:
            break
        if name not in problems:
            problems[name] = make_problem(name, namespace)
            problems[name]()  # warm-up
        start = clock()
        problems[name]()
        print(json.dumps({"seconds": clock() - start}), flush=True)


if __name__ == "__main__":
    main()
