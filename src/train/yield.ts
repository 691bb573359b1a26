/**
 * Training loops are synchronous number crunching; without a pause now and then, Node never runs
 * its event loop, so Ctrl-C handlers, progress-bar redraws and timers would wait until training
 * ends. `breather()` returns a function to await once per step: it yields (setImmediate) at most
 * every `ms` milliseconds, which costs nothing measurable. Browsers have no setImmediate; there a
 * zero-delay timer does the same (they clamp it to ~4 ms, still nothing at one pause per 100 ms).
 */
export function breather(ms = 100): () => Promise<void> | undefined {
  let last = Date.now();
  return () => {
    const now = Date.now();
    if (now - last < ms) return undefined;
    last = now;
    return new Promise<void>((resolve) => (typeof setImmediate === "function" ? setImmediate(resolve) : setTimeout(resolve, 0)));
  };
}
