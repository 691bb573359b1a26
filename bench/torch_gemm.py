"""GEMM GFLOP/s of PyTorch's torch.mm (OpenBLAS here) at the shapes of rnnkit's GEMM table.

usage: /usr/bin/python3 torch_gemm.py THREADS '[[M, K, N], ...]'
Timed as rnnkit's bench/timing.ts times a call: 2 warm-up calls, repetitions calibrated so one
sample takes >= 0.3 s, median of 5 samples. Prints one JSON line: {"torch": ..., "gemm": [...]}.
"""
import json, sys, time
import torch


def median_seconds(fn, warmup=2, samples=5, min_time=0.3):
    for _ in range(warmup):
        fn()
    reps = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(reps):
            fn()
        dt = time.perf_counter() - t0
        if dt >= min_time:
            break
        reps = max(reps * 2, int(reps * min_time / max(dt, 1e-6) * 1.1))
    res = []
    for _ in range(samples):
        t0 = time.perf_counter()
        for _ in range(reps):
            fn()
        res.append((time.perf_counter() - t0) / reps)
    res.sort()
    return res[len(res) // 2]


def main():
    torch.set_num_threads(int(sys.argv[1]))
    out = []
    for m, k, n in json.loads(sys.argv[2]):
        a, b, c = torch.rand(m, k) - 0.5, torch.rand(k, n) - 0.5, torch.empty(m, n)
        s = median_seconds(lambda: torch.mm(a, b, out=c))
        out.append({"shape": f"{m}x{k}x{n}", "gflops": 2 * m * k * n / s / 1e9})
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "gemm": out}), flush=True)


if __name__ == "__main__":
    main()
