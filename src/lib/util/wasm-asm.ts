/**
 * A minimal WebAssembly binary writer: just enough (i32 arithmetic, loops, branches, loads/stores
 * and a few 128-bit SIMD ops) to emit the engine's small hand-written kernels. No toolchain
 * needed: the module bytes are built in JS and compiled by the engine. Used only by the engine's
 * kernels on the tfjs wasm heap (engine/wasm/heap-module.ts); it holds just the opcodes they emit.
 * Opcode numbers: WebAssembly core spec 2.0 (incl. fixed-width SIMD).
 */

export const I32 = 0x7f;
export const V128 = 0x7b;

function u32(n: number): number[] {
  const out: number[] = [];
  let v = n >>> 0;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

function s32(n: number): number[] {
  const out: number[] = [];
  let v = n | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

/** A length-prefixed ASCII name (import/export names here are ASCII; no Buffer, so it runs anywhere). */
function str(s: string): number[] {
  const b = Array.from(s, (c) => c.charCodeAt(0) & 0x7f);
  return [...u32(b.length), ...b];
}

function section(id: number, body: number[]): number[] {
  return [id, ...u32(body.length), ...body];
}

/** Emits one function body. Locals are declared up front; params come first. */
export class FunctionBuilder {
  readonly code: number[] = [];
  private readonly localTypes: number[] = [];

  constructor(
    readonly params: number[],
    readonly results: number[] = [],
  ) {}

  /** Declares a local of `type`; returns its index. */
  local(type: number): number {
    this.localTypes.push(type);
    return this.params.length + this.localTypes.length - 1;
  }

  private op(...bytes: number[]): this {
    this.code.push(...bytes);
    return this;
  }

  /** A SIMD instruction: prefix 0xfd, then the LEB128 sub-opcode and any immediates. */
  private simd(sub: number, ...imm: number[]): this {
    return this.op(0xfd, ...u32(sub), ...imm);
  }

  get(i: number): this {
    return this.op(0x20, ...u32(i));
  }
  set(i: number): this {
    return this.op(0x21, ...u32(i));
  }
  tee(i: number): this {
    return this.op(0x22, ...u32(i));
  }
  i32(v: number): this {
    return this.op(0x41, ...s32(v));
  }
  add(): this {
    return this.op(0x6a);
  }
  mul(): this {
    return this.op(0x6c);
  }
  ltU(): this {
    return this.op(0x49);
  }
  /** i32.load with a constant byte offset (alignment hint 4 bytes). */
  loadI32(offset = 0): this {
    return this.op(0x28, 0x02, ...u32(offset));
  }
  /** v128.load (alignment hint 1: addresses may be unaligned). */
  loadV(offset = 0): this {
    return this.simd(0, 0x00, ...u32(offset));
  }
  /** v128.load32_splat: one f32 broadcast to 4 lanes. */
  loadSplat(offset = 0): this {
    return this.simd(9, 0x00, ...u32(offset));
  }
  storeV(offset = 0): this {
    return this.simd(11, 0x00, ...u32(offset));
  }
  andV(): this {
    return this.simd(78);
  }
  /** v128.andnot: a & ~b. */
  andNotV(): this {
    return this.simd(79);
  }
  orV(): this {
    return this.simd(80);
  }
  xorV(): this {
    return this.simd(81);
  }
  f32x4Add(): this {
    return this.simd(228);
  }
  f32x4Sub(): this {
    return this.simd(229);
  }
  f32x4Mul(): this {
    return this.simd(230);
  }
  /** Lane mask: all ones where a == b. */
  f32x4Eq(): this {
    return this.simd(65);
  }
  block(): this {
    return this.op(0x02, 0x40);
  }
  loop(): this {
    return this.op(0x03, 0x40);
  }
  end(): this {
    return this.op(0x0b);
  }
  br(depth: number): this {
    return this.op(0x0c, ...u32(depth));
  }
  brIf(depth: number): this {
    return this.op(0x0d, ...u32(depth));
  }

  /** `i += step` for an i32 local. */
  inc(i: number, step: number | { local: number }): this {
    this.get(i);
    if (typeof step === "number") this.i32(step);
    else this.get(step.local);
    return this.add().set(i);
  }



  /**
   * for (counter = 0; counter < limit; counter++) body — as block/loop with the test at the top.
   * Inside `body`, `br` depth 0 continues nothing; use the helper's structure only.
   */
  forRange(counter: number, limit: { local: number } | number, body: () => void): this {
    this.i32(0).set(counter);
    this.block().loop();
    this.get(counter);
    if (typeof limit === "number") this.i32(limit);
    else this.get(limit.local);
    this.op(0x4f); // i32.ge_u
    this.brIf(1);
    body();
    this.inc(counter, 1);
    this.br(0).end().end();
    return this;
  }

  bytes(): number[] {
    // Group consecutive locals of the same type.
    const groups: Array<[number, number]> = [];
    for (const t of this.localTypes) {
      const last = groups[groups.length - 1];
      if (last && last[1] === t) last[0]++;
      else groups.push([1, t]);
    }
    const locals = [...u32(groups.length), ...groups.flatMap(([n, t]) => [...u32(n), t])];
    const body = [...locals, ...this.code, 0x0b];
    return [...u32(body.length), ...body];
  }
}

/** A module importing `env.memory` (shared or not) and exporting the given functions. */
export function buildModule(funcs: Array<{ name: string; fn: FunctionBuilder }>, sharedMemory: boolean): Uint8Array {
  const types = funcs.map((f) => [0x60, ...u32(f.fn.params.length), ...f.fn.params, ...u32(f.fn.results.length), ...f.fn.results]);
  const typeSec = section(1, [...u32(types.length), ...types.flat()]);
  // Memory limits: shared memories must declare a maximum (64 Ki pages = 4 GiB).
  const limits = sharedMemory ? [0x03, ...u32(0), ...u32(65536)] : [0x00, ...u32(0)];
  const importSec = section(2, [...u32(1), ...str("env"), ...str("memory"), 0x02, ...limits]);
  const funcSec = section(3, [...u32(funcs.length), ...funcs.flatMap((_, i) => u32(i))]);
  const exportSec = section(7, [...u32(funcs.length), ...funcs.flatMap((f, i) => [...str(f.name), 0x00, ...u32(i)])]);
  const codeSec = section(10, [...u32(funcs.length), ...funcs.flatMap((f) => f.fn.bytes())]);
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...typeSec, ...importSec, ...funcSec, ...exportSec, ...codeSec]);
}

/** Structural types: tslab compiles with lib es2022 only, which has no WebAssembly namespace. */
export interface WasmMemoryLike {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}

/** This engine's WebAssembly namespace, or undefined when it has none. */
export function webAssemblyApi(): WasmApi | undefined {
  return (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
}

/**
 * Builds and instantiates `funcs` on `memory` (imported as env.memory); returns the exports.
 * Throws when the engine cannot compile it (no WebAssembly, or no SIMD).
 */
export function instantiateOn(memory: WasmMemoryLike, funcs: Array<{ name: string; fn: FunctionBuilder }>): Record<string, unknown> {
  const api = webAssemblyApi();
  if (!api) throw new Error("wasm-asm: this JavaScript engine has no WebAssembly");
  const shared = typeof SharedArrayBuffer !== "undefined" && memory.buffer instanceof SharedArrayBuffer;
  return new api.Instance(new api.Module(buildModule(funcs, shared)), { env: { memory } }).exports;
}
