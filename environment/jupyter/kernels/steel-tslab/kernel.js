#!/usr/bin/env node
/*
 * The project's tslab kernel: tslab 1.0.22 with four fixes applied in-process before it starts.
 * A wrapper (not a patch of node_modules) because node_modules is a shared, lockfile-driven
 * install, and npm's patch mechanisms would need package.json changes; tslab's classes are
 * plain prototypes, so patching them here is small and survives `npm ci`.
 *
 * 1. Sends are serialised per socket. zeromq 6 allows one send in flight per socket and rejects
 *    the next with EBUSY ("Socket is busy writing"); tslab fires sends without awaiting them, so
 *    a cell that prints or updates displays quickly (training progress) killed the kernel.
 * 2. Shell requests run one at a time, like ipykernel: tslab handled every queued execute_request
 *    at once, so "Run All" published busy for all cells and idle after the first one — the
 *    notebook showed idle while later cells trained.
 * 3. After a failed cell, only the execute requests that had already ARRIVED are aborted (a Run
 *    All's remaining cells, as ipykernel's stop_on_error does). tslab instead cancelled whatever
 *    reached its queue in the next 200 ms, and with (2) handing it one request at a time, that
 *    was the next cell sent after an error or an Interrupt: it returned at once with no output.
 * 4. Interrupt is cooperative: SIGINT sets the flag of src/lib/util/interrupt.ts (on globalThis,
 *    so this file needs no TypeScript) and long loops stop at their next batch with
 *    "interrupted at epoch e, batch b". tslab's own interrupt only abandoned the cell's promise
 *    and left the loop running; it is kept as the fallback for code that never checks the flag
 *    (after STEEL_INTERRUPT_GRACE_MS, default 15 s, or at once on a second Interrupt).
 *
 *   node kernel.js CONNECTION_FILE      (cwd = repository root, see launch.sh)
 */
"use strict";
const fs = require("fs");
const path = require("path");

const INTERRUPT_KEY = Symbol.for("steel-defect-lab.interrupt");
const SHELL_QUEUE = Symbol("steel-shell-queue");
const DELIM = Buffer.from("<IDS|MSG>");

/** Kernel-side diagnostics go straight to fd 2: process.stderr is redirected into the cell during a run. */
function log(message) {
  try {
    fs.writeSync(2, `steel-kernel: ${message}\n`);
  } catch {
    // stderr closed: nothing better to do
  }
}

/** Every zeromq socket sends one message at a time, in call order; a failed send is logged, not fatal. */
function serialiseSends(zmq) {
  const proto = Object.getPrototypeOf(zmq.Publisher.prototype);
  if (typeof proto.send !== "function" || proto.send.steelSerialised) return;
  const send = proto.send;
  const tails = new WeakMap(); // socket -> its last queued send (sockets are non-extensible)
  const queued = function (message) {
    const next = (tails.get(this) || Promise.resolve()).then(() => send.call(this, message));
    tails.set(this, next.catch((e) => log(`send failed: ${e && e.message ? e.message : e}`)));
    return next.catch(() => undefined);
  };
  queued.steelSerialised = true;
  // The native method is non-writable but configurable.
  Object.defineProperty(proto, "send", { value: queued, writable: false, enumerable: false, configurable: true });
}

/** msg_type of a raw shell message (frames: identities, DELIM, hmac, header, ...). */
function messageType(frames) {
  const i = frames.findIndex((f) => Buffer.isBuffer(f) && f.equals(DELIM));
  try {
    return i >= 0 ? JSON.parse(frames[i + 2].toString()).msg_type : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The running execute_request (so a late interrupt fallback never hits the next cell) and the
 * stop-on-error bookkeeping: shell messages are numbered on arrival; after a failed execute every
 * one numbered up to `abortThrough` that is an execute is answered "abort" without running.
 */
const execution = { id: 0, running: false, abort: false, failed: false, arrivals: 0, abortThrough: 0 };

function serialiseShell(ZmqServer) {
  const handle = ZmqServer.prototype.handleShellMessage;
  ZmqServer.prototype.handleShellMessage = function (sock, ...frames) {
    if (sock !== this.shell) return handle.call(this, sock, ...frames); // control: never waits
    const seq = ++execution.arrivals;
    const run = async () => {
      const isExecute = messageType(frames) === "execute_request";
      if (isExecute) {
        globalThis[INTERRUPT_KEY] = false; // an interrupt belongs to the cell it was sent to
        execution.id += 1;
        execution.running = true;
        execution.abort = seq <= execution.abortThrough;
      }
      try {
        await handle.call(this, sock, ...frames);
      } finally {
        if (isExecute) {
          execution.running = false;
          if (execution.failed) {
            execution.failed = false;
            // Let the socket deliver what the front end sent before the failure (Run All's queue).
            await new Promise((resolve) => setImmediate(resolve));
            execution.abortThrough = execution.arrivals;
          }
        }
      }
    };
    this[SHELL_QUEUE] = (this[SHELL_QUEUE] || Promise.resolve()).then(run, run);
    return this[SHELL_QUEUE];
  };
}

/** Stop-on-error by arrival (fix 3): tslab's handler runs the request, this decides what is aborted. */
function stopOnErrorByArrival(JupyterHandlerImpl) {
  const handleExecute = JupyterHandlerImpl.prototype.handleExecute;
  JupyterHandlerImpl.prototype.handleExecute = async function (req, ...rest) {
    if (execution.abort) return { status: "abort", execution_count: undefined };
    const reply = await handleExecute.call(this, req, ...rest);
    if (reply.status === "error") {
      this.execQueue.reset(); // now, not in 200 ms: the requests to abort are decided above
      if (req.stop_on_error !== false && !req.silent) execution.failed = true;
    }
    return reply;
  };
}

function cooperativeInterrupt() {
  const tslabHandlers = process.listeners("SIGINT");
  process.removeAllListeners("SIGINT");
  const graceMs = Number(process.env.STEEL_INTERRUPT_GRACE_MS || 15000);
  let pending = null;
  const fallback = () => {
    pending = null;
    log("the running cell did not stop at an interrupt check: abandoning it (tslab's asynchronous interrupt)");
    for (const h of tslabHandlers) h("SIGINT");
  };
  process.on("SIGINT", () => {
    globalThis[INTERRUPT_KEY] = true;
    if (!execution.running) return;
    if (pending && pending.id === execution.id) {
      clearTimeout(pending.timer);
      fallback(); // second Interrupt on the same cell: do not wait
      return;
    }
    const id = execution.id;
    const timer = setTimeout(() => {
      if (execution.running && execution.id === id) fallback();
      else pending = null;
    }, graceMs);
    timer.unref();
    pending = { id, timer };
  });
}

function main() {
  const configPath = process.argv[2];
  if (!configPath) {
    log("usage: node kernel.js CONNECTION_FILE");
    process.exit(2);
  }
  const root = process.cwd();
  let tslabDir;
  try {
    tslabDir = path.dirname(require.resolve("tslab/package.json", { paths: [root] }));
  } catch {
    log(`tslab not found from ${root}: run 'npm ci' in the repository root first.`);
    process.exit(1);
  }
  const zmq = require(require.resolve("zeromq", { paths: [path.join(tslabDir, "dist")] }));
  const { ZmqServer, JupyterHandlerImpl } = require(path.join(tslabDir, "dist", "jupyter.js"));
  const { startKernel } = require(path.join(tslabDir, "dist", "main.js"));
  serialiseSends(zmq);
  serialiseShell(ZmqServer);
  stopOnErrorByArrival(JupyterHandlerImpl);
  // enableFindLocal: false — the local tslab is this one; its lookup would load a second copy.
  startKernel({ configPath, enableFindLocal: false, jsKernel: false });
  cooperativeInterrupt(); // after startKernel: it registers tslab's SIGINT handler synchronously
}

main();
