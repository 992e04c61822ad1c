/**
 * A `Listener` receives every epoch's logs, e.g. an HPO trial reporting intermediate values to
 * its pruner; returning "stop" (the trial was pruned) ends training after this epoch.
 */
import { Callback, EpochLogs } from "../types";

export type Listener = (epoch: number, logs: EpochLogs) => void | "stop" | Promise<void | "stop">;

export function listenerCallback(listener: Listener, name = "listener"): Callback {
  return {
    name,
    onEpochEnd: (epoch, logs) => listener(epoch, logs),
  };
}
