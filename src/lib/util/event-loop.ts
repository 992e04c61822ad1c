/**
 * Lets the event loop run from inside a long loop. A fit over in-memory tensors on a synchronous
 * backend (cpu, wasm) never leaves the microtask queue — `for await` over an async generator and
 * already-resolved socket sends are all microtasks — so timers, I/O and signal handlers (the
 * kernel's Interrupt, trailing progress redraws) waited until the whole fit had ended.
 * Yields at most once per `everyMs`, so a call per batch costs nothing measurable.
 */
let lastYield = 0;

export async function yieldToEventLoop(everyMs = 20): Promise<void> {
  if (Date.now() - lastYield < everyMs) return;
  await new Promise<void>((resolve) => setImmediate(resolve));
  lastYield = Date.now();
}
