/**
 * Training loops are synchronous number crunching; without a pause now and then, Node never runs
 * its event loop, so Ctrl-C handlers, progress-bar redraws and timers would wait until training
 * ends. `breather()` returns a function to await once per step: it yields (setImmediate) at most
 * every `ms` milliseconds, which costs nothing measurable.
 */
export function breather(ms = 100): () => Promise<void> | undefined {
  let last = Date.now();
  return () => {
    const now = Date.now();
    if (now - last < ms) return undefined;
    last = now;
    return new Promise<void>((resolve) => setImmediate(resolve));
  };
}
