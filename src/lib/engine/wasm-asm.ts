/**
 * A minimal WebAssembly binary writer: just enough (i32 arithmetic, loops, loads/stores and a
 * few 128-bit SIMD ops) to emit small hand-written kernels that run on the tfjs wasm heap.
 * No toolchain needed: the module bytes are built in JS and compiled by V8.
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

function str(s: string): number[] {
  const b = Array.from(Buffer.from(s, "utf8"));
  return [...u32(b.length), ...b];
}

function section(id: number, body: number[]): number[] {
  return [id, ...u32(body.length), ...body];
}

/** Emits one function body. Locals are declared up front; params come first. */
export class FunctionBuilder {
  readonly code: number[] = [];
  private readonly localTypes: number[] = [];

  constructor(readonly params: number[]) {}

  /** Declares a local of `type`; returns its index. */
  local(type: number): number {
    this.localTypes.push(type);
    return this.params.length + this.localTypes.length - 1;
  }

  private op(...bytes: number[]): this {
    this.code.push(...bytes);
    return this;
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
  sub(): this {
    return this.op(0x6b);
  }
  mul(): this {
    return this.op(0x6c);
  }
  ltU(): this {
    return this.op(0x49);
  }
  eqz(): this {
    return this.op(0x45);
  }
  /** i32.load with a constant byte offset. */
  loadI32(offset = 0): this {
    return this.op(0x28, 0x02, ...u32(offset));
  }
  /** v128.load (alignment hint 1: addresses may be unaligned). */
  loadV(offset = 0): this {
    return this.op(0xfd, ...u32(0), 0x00, ...u32(offset));
  }
  /** v128.load32_splat: one f32 broadcast to 4 lanes. */
  loadSplat(offset = 0): this {
    return this.op(0xfd, ...u32(9), 0x00, ...u32(offset));
  }
  storeV(offset = 0): this {
    return this.op(0xfd, ...u32(11), 0x00, ...u32(offset));
  }
  f32x4Add(): this {
    return this.op(0xfd, ...u32(228));
  }
  /** Lane mask: all ones where a == b (f32x4.eq). */
  f32x4Eq(): this {
    return this.op(0xfd, ...u32(65));
  }
  v128And(): this {
    return this.op(0xfd, ...u32(78));
  }
  /** a & ~b */
  v128AndNot(): this {
    return this.op(0xfd, ...u32(79));
  }
  v128Or(): this {
    return this.op(0xfd, ...u32(80));
  }
  v128Xor(): this {
    return this.op(0xfd, ...u32(81));
  }
  f32x4Sub(): this {
    return this.op(0xfd, ...u32(229));
  }
  f32x4Mul(): this {
    return this.op(0xfd, ...u32(230));
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

/** A module importing `env.memory` (shared or not) and exporting the given i32→void functions. */
export function buildModule(funcs: Array<{ name: string; fn: FunctionBuilder }>, sharedMemory: boolean): Uint8Array {
  const types = funcs.map((f) => [0x60, ...u32(f.fn.params.length), ...f.fn.params, 0x00]);
  const typeSec = section(1, [...u32(types.length), ...types.flat()]);
  // Memory limits: shared memories must declare a maximum (64 Ki pages = 4 GiB).
  const limits = sharedMemory ? [0x03, ...u32(0), ...u32(65536)] : [0x00, ...u32(0)];
  const importSec = section(2, [...u32(1), ...str("env"), ...str("memory"), 0x02, ...limits]);
  const funcSec = section(3, [...u32(funcs.length), ...funcs.flatMap((_, i) => u32(i))]);
  const exportSec = section(7, [...u32(funcs.length), ...funcs.flatMap((f, i) => [...str(f.name), 0x00, ...u32(i)])]);
  const codeSec = section(10, [...u32(funcs.length), ...funcs.flatMap((f) => f.fn.bytes())]);
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...typeSec, ...importSec, ...funcSec, ...exportSec, ...codeSec]);
}
