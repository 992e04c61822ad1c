/**
 * A cooperative interrupt flag: the notebook kernel's Interrupt (or a CLI's SIGINT) sets it,
 * long loops (fit, evaluation, sweeps) check it at each batch and stop cleanly with an
 * InterruptedError that says where — so weights and the last checkpoint stay valid.
 * One process-wide flag because tslab delivers the interrupt to the process, not to a loop; it
 * lives on globalThis under a registered symbol so a kernel wrapper and every copy of this
 * module (tslab may load the library more than once) share it.
 */
const KEY = Symbol.for("steel-defect-lab.interrupt");
const holder = globalThis as { [KEY]?: boolean };

/** Ask every running loop to stop at its next check. */
export function requestInterrupt(): void {
  holder[KEY] = true;
}

/** Whether an interrupt was requested since the last clearInterrupt(). */
export function interruptRequested(): boolean {
  return holder[KEY] === true;
}

/** Reset the flag (a loop does this when it starts, so an old interrupt does not stop it). */
export function clearInterrupt(): void {
  holder[KEY] = false;
}

/** Thrown by a loop that stopped because of an interrupt; carries the position it stopped at. */
export class InterruptedError extends Error {
  constructor(
    readonly where: string,
    readonly epoch?: number,
    readonly batch?: number,
  ) {
    super(`interrupted${epoch !== undefined ? ` at epoch ${epoch + 1}` : ""}${batch !== undefined ? `, batch ${batch + 1}` : ""} (${where})`);
    this.name = "InterruptedError";
  }
}
