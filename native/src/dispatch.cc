// Run-time ISA choice and the GEMM worker pool. Baseline code only (no target pragmas here).
#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
#endif
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "kernels.h"

// Waking a sleeping worker took ~40 µs here, as long as a whole 32×128×512 GEMM: with the spin,
// 2-thread GEMM 32×128×512 92 → 230 GFLOP/s, 64×768×1024 190 → 235, 512³ 247 → 277.
#ifndef SPIN_US
#define SPIN_US 200
#endif

namespace rk {

Isa best_isa() {
  static const Isa isa = [] {
    __builtin_cpu_init();
    // libgcc's checks include the OS's XSAVE state (XCR0), so "supported" means usable
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
        __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("fma"))
      return ISA_AVX512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return ISA_AVX2;
    return ISA_SCALAR;
  }();
  return isa;
}

const Kernels* kernels_for(int isa) {
  const int best = best_isa();
  if (isa > best) isa = best;
  if (isa >= ISA_AVX512) return kernels_avx512();
  if (isa == ISA_AVX2) return kernels_avx2();
  return kernels_scalar();
}

// ---- a tiny fork-join pool: between jobs workers spin for SPIN_US, then sleep on a condition variable ----
namespace {
// Set while a thread runs a task of a parallel job: a kernel inside a task (the recurrent kernels
// on blocks of rows call GEMMs) then runs its own parallel_for serially instead of re-entering.
thread_local bool tl_in_task = false;
struct InTask {
  InTask() { tl_in_task = true; }
  ~InTask() { tl_in_task = false; }
};
struct Pool {
  std::mutex mu;
  std::condition_variable wake, done;
  std::vector<std::thread> workers;
  void (*fn)(void*, int) = nullptr;
  void* ctx = nullptr;
  int tasks = 0;       // tasks of the current job (task 0 runs on the caller)
  int next = 1;        // next task to hand out
  int pending = 0;     // tasks handed out but not finished
  unsigned long job = 0;
  bool quit = false;
  // Mirrors of job and of the last finished job, read without the lock while spinning: a worker
  // (or the caller waiting for one) spins this long before sleeping, since waking a thread from
  // a condition variable costs tens of microseconds and GEMMs come in quick succession.
  std::atomic<unsigned long> jobA{0}, finishedA{0};

  template <class F>
  static void spin_until(F ready) {
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; !ready(); i++) {
#if defined(__x86_64__) || defined(__i386__)
      _mm_pause();
#endif
      if ((i & 63) == 63 && std::chrono::steady_clock::now() - t0 > std::chrono::microseconds(SPIN_US)) return;
    }
  }
  void ensure(int n) {
    while ((int)workers.size() < n) workers.emplace_back([this] { loop(); });
  }
  void loop() {
#if defined(__x86_64__) || defined(__i386__)
    _mm_setcsr(_mm_getcsr() | 0x8040);  // workers run only kernels: flush denormals (see addon.cc)
#endif
    unsigned long seen = 0;
    std::unique_lock<std::mutex> lk(mu);
    for (;;) {
      if (!(quit || (job != seen && next < tasks))) {
        seen = job;  // a job whose tasks were all taken already has nothing for this worker
        lk.unlock();
        spin_until([&] { return jobA.load(std::memory_order_acquire) != seen; });
        lk.lock();
      }
      wake.wait(lk, [&] { return quit || (job != seen && next < tasks); });
      if (quit) return;
      while (next < tasks) {
        const int i = next++;
        pending++;
        lk.unlock();
        {
          InTask in;
          fn(ctx, i);
        }
        lk.lock();
        if (--pending == 0 && next >= tasks) {
          finishedA.store(job, std::memory_order_release);
          done.notify_all();
        }
      }
      seen = job;
    }
  }
  ~Pool() {
    {
      std::lock_guard<std::mutex> lk(mu);
      quit = true;
    }
    wake.notify_all();
    for (auto& t : workers) t.detach();  // the process is exiting; never block unload on them
  }
};
Pool* pool() {
  static Pool* p = new Pool();  // leaked on purpose: no destructor ordering at exit
  return p;
}
int g_threads = 1;
std::mutex g_run;  // one parallel job at a time (worker_threads may call in concurrently)
}  // namespace

void set_threads(int n) { g_threads = n < 1 ? 1 : n > 64 ? 64 : n; }
int get_threads() { return g_threads; }

void parallel_for(int n, void (*fn)(void*, int), void* ctx) {
  if (tl_in_task) {
    for (int i = 0; i < n; i++) fn(ctx, i);
    return;
  }
  if (n <= 1) {
    if (n == 1) fn(ctx, 0);
    return;
  }
  std::unique_lock<std::mutex> run(g_run, std::try_to_lock);
  if (!run.owns_lock()) {  // another thread is using the pool: do the work here, serially
    for (int i = 0; i < n; i++) fn(ctx, i);
    return;
  }
  Pool* p = pool();
  {
    std::lock_guard<std::mutex> lk(p->mu);
    p->ensure((n < g_threads ? n : g_threads) - 1);  // more tasks than threads: the threads take them in turn
    p->fn = fn;
    p->ctx = ctx;
    p->tasks = n;
    p->next = 1;
    p->pending = 0;
    p->job++;
    p->jobA.store(p->job, std::memory_order_release);
  }
  p->wake.notify_all();
  {
    InTask in;
    fn(ctx, 0);
  }
  // help with tasks no worker has picked up yet, then wait for the rest
  std::unique_lock<std::mutex> lk(p->mu);
  while (p->next < p->tasks) {
    const int i = p->next++;
    p->pending++;
    lk.unlock();
    {
      InTask in;
      fn(ctx, i);
    }
    lk.lock();
    p->pending--;
  }
  if (p->pending != 0) {
    const unsigned long mine = p->job;
    lk.unlock();
    Pool::spin_until([&] { return p->finishedA.load(std::memory_order_acquire) == mine; });
    lk.lock();
  }
  p->done.wait(lk, [&] { return p->pending == 0; });
  p->tasks = 0;
}

}  // namespace rk
