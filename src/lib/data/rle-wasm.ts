/**
 * Runs the RLE codec's wasm kernels (rle-kernels.ts) for rle.ts: one module compiled lazily and
 * synchronously on first use, on a small non-shared WebAssembly.Memory owned by this module and
 * grown on demand. rleWasm() is undefined when WebAssembly or its SIMD is unavailable (or turned
 * off for a test): rle.ts then uses its JS paths, which give the same results.
 *
 * Memory layout for an H x W image (byte offsets, see Layout):
 *   scan input      H*W mask bytes, then 8 rows + 64 bytes of zeros (scan reads past the end)
 *   lanes           the scan's per-column row lists (64 counts + 64 lists of H+1 rows)
 *   scan runs       starts, lengths: <= W*ceil(H/2) runs
 *   state, decoded  the rows build wrote (whole mask, then per 16-column strip) and its H*W
 *                   output, zero outside those rows
 *   text, runs      the RLE text (parse's input, format's output) and parse's runs (<= (bytes+1)/4)
 */
import { instantiateOn, webAssemblyApi, type WasmMemoryLike } from "../util/wasm-asm";
import { buildFunction, formatFunction, GROUP, parseFunction, scanFunction, STRIP } from "./rle-kernels";

/** The codec's own (non-shared, growable) memory. */
interface MemoryLike extends WasmMemoryLike {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

interface Kernels {
  memory: MemoryLike;
  scan(width: number, height: number, lanes: number, starts: number, lengths: number): number;
  parse(text: number, nBytes: number, total: number, starts: number, lengths: number): number;
  build(starts: number, lengths: number, n: number, height: number, width: number, value: number, mask: number, state: number): void;
  format(starts: number, lengths: number, n: number, out: number): number;
}

const PAGE = 65536;
/** Above this much wasm memory rle.ts uses its JS paths instead (a huge image: wasm memory never shrinks). */
const MAX_BYTES = 256 << 20;
const hasBuffer = typeof Buffer !== "undefined";

/** undefined: not tried yet; null: unavailable (no WebAssembly, or no SIMD). */
let kernels: Kernels | null | undefined;
let enabled = true;

function loadKernels(): Kernels | null {
  const api = webAssemblyApi();
  if (!api) return null;
  try {
    const memory = new api.Memory({ initial: 1 }) as MemoryLike;
    const fns = [
      { name: "scan", fn: scanFunction() },
      { name: "parse", fn: parseFunction() },
      { name: "build", fn: buildFunction() },
      { name: "format", fn: formatFunction() },
    ];
    const exports = instantiateOn(memory, fns);
    return { memory, scan: exports.scan, parse: exports.parse, build: exports.build, format: exports.format } as Kernels;
  } catch {
    return null; // e.g. an engine without wasm SIMD
  }
}

/** Turns the wasm kernels off (tests compare them with the JS paths) or back on; returns the previous setting. */
export function setRleWasmEnabled(on: boolean): boolean {
  const was = enabled;
  enabled = on;
  return was;
}

/** Whether rle.ts uses the wasm kernels: WebAssembly with SIMD is available and they are not turned off. */
export function rleWasmAvailable(): boolean {
  if (!enabled) return false;
  if (kernels === undefined) kernels = loadKernels();
  return kernels !== null;
}

function align16(n: number): number {
  return Math.ceil(n / 16) * 16;
}

/** Byte offsets of every region for an H x W image and `textCap` bytes of RLE text. */
class Layout {
  readonly lanes: number;
  readonly scanStarts: number;
  readonly scanLengths: number;
  readonly maxScanRuns: number;
  readonly state: number;
  readonly decoded: number;
  readonly text: number;
  readonly parsedStarts: number;
  readonly parsedLengths: number;
  readonly maxParsedRuns: number;
  readonly end: number;

  constructor(
    readonly height: number,
    readonly width: number,
    readonly textCap: number,
  ) {
    const total = height * width;
    this.lanes = align16(total + GROUP * width + STRIP);
    this.maxScanRuns = width * Math.ceil(height / 2);
    this.scanStarts = align16(this.lanes + 4 * STRIP * (height + 2));
    this.scanLengths = this.scanStarts + 4 * this.maxScanRuns;
    this.state = align16(this.scanLengths + 4 * this.maxScanRuns);
    this.decoded = align16(this.state + 16 + 8 * Math.ceil(width / 16));
    this.text = align16(this.decoded + total);
    // Each run takes >= 4 bytes ("1 1 "), the last >= 3.
    this.maxParsedRuns = Math.floor((textCap + 1) / 4) + 1;
    this.parsedStarts = align16(this.text + textCap + 1);
    this.parsedLengths = this.parsedStarts + 4 * this.maxParsedRuns;
    this.end = this.parsedLengths + 4 * this.maxParsedRuns;
  }
}

/** The kernels set up for one image size. Views are only valid until the next call (memory may grow). */
export class RleWasm {
  private layout: Layout;
  private u8 = new Uint8Array(0);
  /** Views into u8's buffer, remade when the memory grows (its old buffer detaches). */
  private views = {
    scanInput: this.u8,
    scanStarts: new Int32Array(0),
    scanLengths: new Int32Array(0),
    state: new Int32Array(0),
    decoded: this.u8,
    bytes: undefined as Buffer | undefined,
  };

  constructor(
    private readonly k: Kernels,
    layout: Layout,
  ) {
    this.layout = layout;
    this.refreshViews();
    // A fresh layout: zero the scan's padding and build's state and output.
    const total = layout.width * layout.height;
    this.u8.fill(0, total, layout.lanes);
    this.u8.fill(0, layout.state, layout.decoded + total);
  }

  get height(): number {
    return this.layout.height;
  }
  get width(): number {
    return this.layout.width;
  }

  /** Where encode writes the mask (H*W bytes, row-major, any non-zero byte = defect) before scan(). */
  scanInput(): Uint8Array {
    this.refreshViews();
    return this.views.scanInput;
  }

  /** Finds the runs of the scan input and returns their count; then see scanStarts/scanLengths. */
  scan(): number {
    const l = this.layout;
    return this.k.scan(l.width, l.height, l.lanes, l.scanStarts, l.scanLengths);
  }

  /** 0-based column-major starts of the last scan's runs (sorted; touching runs not merged). */
  scanStarts(): Int32Array {
    return this.views.scanStarts;
  }
  scanLengths(): Int32Array {
    return this.views.scanLengths;
  }

  /**
   * The last scan's `n` runs as canonical RLE text (touching runs merged), or undefined when that
   * cannot be done here (no Buffer to read the text with, or too long): the caller formats in JS.
   */
  format(n: number): string | undefined {
    if (n === 0) return "";
    if (!this.ensureText(22 * n + 8)) return undefined; // <= 2 numbers of 10 digits, 2 spaces per run
    const bytes = this.views.bytes;
    if (!bytes) return undefined;
    const l = this.layout;
    const length = this.k.format(l.scanStarts, l.scanLengths, n, l.text);
    return bytes.toString("latin1", l.text, l.text + length);
  }

  /**
   * Parses and validates `rle`: the number of runs (kept for build), or -1 if the string is invalid
   * or cannot be parsed here (no Buffer to write it with, or too long): the caller then uses the JS path.
   */
  parse(rle: string): number {
    const cap = 3 * rle.length; // UTF-16 → UTF-8 takes at most 3 bytes per code unit
    if (!this.ensureText(cap)) return -1;
    const bytes = this.views.bytes;
    if (!bytes) return -1;
    const l = this.layout;
    const n = bytes.write(rle, l.text, cap, "utf8");
    this.u8[l.text + n] = 32; // ends the last token
    return this.k.parse(l.text, n, l.height * l.width, l.parsedStarts, l.parsedLengths);
  }

  /** Makes the text region hold `bytes` (+ 1); false if the memory cannot grow that far. Refreshes the views. */
  private ensureText(bytes: number): boolean {
    if (bytes > this.layout.textCap) {
      const wider = new Layout(this.height, this.width, Math.max(bytes, 2 * this.layout.textCap));
      if (!ensureMemory(this.k.memory, wider.end)) return false;
      this.layout = wider; // same image size: the scan regions, state and decoded mask stay put
    }
    this.refreshViews();
    return true;
  }

  /**
   * Builds the mask of the last parse's `n` runs with `value` (1..255): a view of the H*W mask and
   * the rows [y0, y1) holding defects (all rows outside are zero).
   */
  build(n: number, value: number): { mask: Uint8Array; y0: number; y1: number } {
    const l = this.layout;
    this.k.build(l.parsedStarts, l.parsedLengths, n, l.height, l.width, value, l.decoded, l.state);
    this.refreshViews();
    const state = this.views.state;
    return { mask: this.views.decoded, y0: state[0], y1: state[1] };
  }

  /** The views cover regions that a wider text capacity does not move: only growth remakes them. */
  private refreshViews(): void {
    const buffer = this.k.memory.buffer;
    if (this.u8.buffer === buffer && this.u8.length > 0) return;
    const l = this.layout;
    this.u8 = new Uint8Array(buffer);
    this.views = {
      scanInput: this.u8.subarray(0, l.height * l.width),
      scanStarts: new Int32Array(buffer, l.scanStarts, l.maxScanRuns),
      scanLengths: new Int32Array(buffer, l.scanLengths, l.maxScanRuns),
      state: new Int32Array(buffer, l.state, 2),
      decoded: this.u8.subarray(l.decoded, l.decoded + l.height * l.width),
      bytes: hasBuffer ? Buffer.from(buffer) : undefined,
    };
  }
}

/** Grows `memory` to at least `bytes`; false if that is over the cap or the engine refuses. */
function ensureMemory(memory: MemoryLike, bytes: number): boolean {
  if (bytes > MAX_BYTES) return false;
  const have = memory.buffer.byteLength;
  if (bytes <= have) return true;
  try {
    memory.grow(Math.ceil((bytes - have) / PAGE));
    return true;
  } catch {
    return false; // out of memory: the JS paths need far less
  }
}

let current: RleWasm | undefined;

/** The wasm codec for H x W images, or undefined (no wasm SIMD, turned off, or the image is too large). */
export function rleWasm(height: number, width: number): RleWasm | undefined {
  if (!rleWasmAvailable() || !kernels) return undefined;
  if (current && current.height === height && current.width === width) return current;
  const layout = new Layout(height, width, 65536);
  if (!ensureMemory(kernels.memory, layout.end)) return undefined;
  current = new RleWasm(kernels, layout);
  return current;
}
