"""One engine's process for bench_tensor.py: reads a problem name per line, runs one timed
block, prints the seconds. Each engine lives in its own process so that numpy's and torch's
thread pools never compete inside one interpreter."""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _tensor_problems import make_problem  # noqa: E402


def main() -> None:
    engine, threads = sys.argv[1], int(sys.argv[2])
    make_problem("seed_100_epochs", engine)  # import the engine before the first timing
    from threadpoolctl import threadpool_info, threadpool_limits

    if threads > 0:
        threadpool_limits(threads)
        if engine == "torch":
            import torch

            torch.set_num_threads(threads)

    pools = [f"{p['internal_api']} {p.get('version')} {p['num_threads']} threads" for p in threadpool_info()]
    extra = ""
    if engine == "torch":
        import torch

        extra = f"; torch intra-op threads {torch.get_num_threads()}"
    print(json.dumps({"engine": engine, "pools": "; ".join(pools) + extra}), flush=True)
    problems = {}
    for line in sys.stdin:
        name = line.strip()
        if not name:
            break
        if name not in problems:
            problems[name] = make_problem(name, engine)
            problems[name]()  # warm-up
        start = time.perf_counter()
        problems[name]()
        print(json.dumps({"seconds": time.perf_counter() - start}), flush=True)


if __name__ == "__main__":
    main()
