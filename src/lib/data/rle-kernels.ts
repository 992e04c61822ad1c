/**
 * The RLE codec's wasm kernels, written with the toolchain-free binary writer (util/wasm-asm.ts).
 * rle-wasm.ts owns the memory they run on and calls them; rle.ts keeps JS equivalents as the
 * fallback when wasm SIMD is unavailable.
 *
 * scan (encode): a run in column x starts at row y where pixel (y, x) is set and (y-1, x) is not,
 * and ends where it flips back. The mask is walked in strips of 64 columns, top to bottom, with the
 * row above in 4 vector registers. Rows go in groups of 8 with one branch per group: per row 4
 * loads, 4 xor and 4 or into an accumulator. Only a group where some row differs from the one
 * above (~5% of a Severstal mask) is redone row by row, comparing zero-ness lane by lane
 * (i8x16.eq + bitmask → a 64-bit flip mask) and appending y to the list of each column that flips.
 * After a strip, each touched column's list [open, close, open, close, ...] becomes runs.
 * Blob interiors and empty areas thus cost ~3 vector ops per 16 pixels, about a memcpy.
 *
 * format (encode): runs → canonical text, each number's digits 8 at a time (SWAR), with no branch
 * per digit.
 *
 * parse (decode): the RLE text's bytes → runs, validated like rle.ts's scanner; -1 on any problem
 * (rle.ts then re-reads the string to word the error). A tight loop reads each token's digits.
 *
 * build (decode): runs → mask. Each column segment [y0, y1) of a run XORs `value` into its first
 * pixel and into the pixel just below it; then each row is XORed with the row above (16 columns
 * per vector), which turns those toggles into the filled segments. Touching segments need no
 * merging: their toggles cancel. Only the rows each 16-column strip has toggles in are touched,
 * and the next build clears just those.
 */
import { FunctionBuilder, I32, I64, V128 } from "../util/wasm-asm";

/** Columns per scan strip: 4 vectors of 16. */
export const STRIP = 64;
/** Rows tested with one branch (8: measured fastest of 1-16; ~5% of groups then need a redo). */
export const GROUP = 8;

// ---------------------------------------------------------------- scan

/** Locals shared by the scan's code-emitting helpers. */
interface Locals {
  W: number;
  H: number;
  LANES: number;
  STARTS: number;
  LENGTHS: number;
  x0: number;
  y: number;
  ptr: number;
  row: number;
  yRow: number;
  yEnd: number;
  lane: number;
  addr: number;
  count: number;
  n: number;
  base: number;
  ev: number;
  evEnd: number;
  laneMask: number;
  flips: number;
  touched: number;
  prev: number[];
  cur: number[];
  saved: number[];
  acc: number;
  zero: number;
}

/**
 * scan(W, H, lanes, starts, lengths) → number of runs written (sorted, 0-based column-major starts;
 * touching runs not merged). Reads the mask at offset 0 and the zero padding after it, up to row
 * H + GROUP - 1 plus 64 bytes (see Layout in rle-wasm.ts); `lanes` holds 64 counts + 64 row lists.
 */
export function scanFunction(): FunctionBuilder {
  const f = new FunctionBuilder([I32, I32, I32, I32, I32], [I32]);
  const i32 = (): number => f.local(I32);
  const v128s = (): number[] => [f.local(V128), f.local(V128), f.local(V128), f.local(V128)];
  const l: Locals = {
    W: 0,
    H: 1,
    LANES: 2,
    STARTS: 3,
    LENGTHS: 4,
    x0: i32(),
    y: i32(),
    ptr: i32(),
    row: i32(),
    yRow: i32(),
    yEnd: i32(),
    lane: i32(),
    addr: i32(),
    count: i32(),
    n: i32(),
    base: i32(),
    ev: i32(),
    evEnd: i32(),
    laneMask: f.local(I64),
    flips: f.local(I64),
    touched: f.local(I64), // lanes with a flip in this strip
    prev: v128s(),
    cur: v128s(),
    saved: v128s(),
    acc: f.local(V128),
    zero: f.local(V128), // wasm locals start zeroed
  };
  f.get(l.LANES).i32(0).i32(4 * STRIP).memoryFill(); // counts (then reset lane by lane in stripRuns)
  f.i32(0).set(l.x0);
  f.block().loop(); // strips
  f.get(l.x0).get(l.W).geU().brIf(1);
  startStrip(f, l);
  f.loop(); // groups of GROUP rows, 0..H and on into the zero padding
  groupTest(f, l);
  f.get(l.acc).anyTrue().if();
  rowByRow(f, l);
  f.end();
  f.get(l.ptr).get(l.W).i32(GROUP).mul().add().set(l.ptr);
  f.inc(l.y, GROUP);
  f.get(l.y).get(l.H).i32(1).add().ltU().brIf(0);
  f.end();
  stripRuns(f, l);
  f.inc(l.x0, STRIP);
  f.br(0).end().end();
  f.get(l.n);
  return f;
}

/** Lane mask (lanes past column W hold the next row's bytes); row -1 = empty. */
function startStrip(f: FunctionBuilder, l: Locals): void {
  // laneMask = W - x0 >= 64 ? all ones : (1 << (W - x0)) - 1
  f.i64(-1);
  f.i64(1).get(l.W).get(l.x0).sub().extendU().i64Shl().i64(1).i64Sub();
  f.get(l.W).get(l.x0).sub().i32(STRIP).geU().select().set(l.laneMask);
  f.i64(0).set(l.touched);
  for (let k = 0; k < 4; k++) f.get(l.zero).set(l.prev[k]);
  f.get(l.x0).set(l.ptr);
  f.i32(0).set(l.y);
}

/** acc = OR over the group's rows of (row ^ row above); prev ends as the group's last row. */
function groupTest(f: FunctionBuilder, l: Locals): void {
  for (let k = 0; k < 4; k++) f.get(l.prev[k]).set(l.saved[k]);
  f.get(l.zero).set(l.acc);
  f.get(l.ptr).set(l.row);
  for (let g = 0; g < GROUP; g++) {
    for (let k = 0; k < 4; k++) {
      f.get(l.row).loadV(16 * k).tee(l.cur[k]).get(l.prev[k]).xorV().get(l.acc).orV().set(l.acc);
      f.get(l.cur[k]).set(l.prev[k]);
    }
    if (g < GROUP - 1) f.inc(l.row, { local: l.W });
  }
}

/**
 * The group again, row by row: flips = the 64 lanes whose zero-ness differs from the row above
 * (raw bytes 1 and 2 differ but are both defects, hence i8x16.eq with 0 rather than the xor);
 * yRow is appended to the list of each flipped column.
 */
function rowByRow(f: FunctionBuilder, l: Locals): void {
  for (let k = 0; k < 4; k++) f.get(l.saved[k]).set(l.prev[k]);
  f.get(l.ptr).set(l.row);
  f.get(l.y).set(l.yRow);
  f.get(l.y).i32(GROUP).add().set(l.yEnd);
  f.loop();
  for (let k = 0; k < 4; k++) {
    f.get(l.row).loadV(16 * k).tee(l.cur[k]).get(l.zero).i8x16Eq().get(l.prev[k]).get(l.zero).i8x16Eq().xorV().i8x16Bitmask().extendU();
    if (k > 0) f.i64(16 * k).i64Shl().i64Or();
    f.get(l.cur[k]).set(l.prev[k]);
  }
  f.get(l.laneMask).i64And().tee(l.flips).get(l.touched).i64Or().set(l.touched);
  f.whileLoop(
    () => f.get(l.flips).i64Eqz().eqz(),
    () => {
      f.get(l.flips).i64Ctz().wrapI64().set(l.lane);
      f.get(l.LANES).get(l.lane).i32(2).shl().add().set(l.addr); // &count[lane]
      f.get(l.addr).loadI32().set(l.count);
      // list entry (count, lane) at lists + 256 count + 4 lane: no multiply
      f.get(l.LANES).i32(4 * STRIP).add().get(l.count).i32(8).shl().add().get(l.lane).i32(2).shl().add();
      f.get(l.yRow).storeI32();
      f.get(l.addr).get(l.count).i32(1).add().storeI32();
      f.get(l.flips).get(l.flips).i64(1).i64Sub().i64And().set(l.flips); // clear the lowest set bit
    },
  );
  f.inc(l.row, { local: l.W });
  f.inc(l.yRow, 1);
  f.get(l.yRow).get(l.yEnd).ltU().brIf(0);
  f.end();
}

/**
 * Each touched column's list [open, close, ...] → runs (start = x*H + open, length = close - open),
 * in column order; its count is reset for the next strip.
 */
function stripRuns(f: FunctionBuilder, l: Locals): void {
  f.whileLoop(
    () => f.get(l.touched).i64Eqz().eqz(),
    () => {
      f.get(l.touched).i64Ctz().wrapI64().set(l.lane);
      f.get(l.touched).get(l.touched).i64(1).i64Sub().i64And().set(l.touched);
      f.get(l.x0).get(l.lane).add().get(l.H).mul().set(l.base);
      f.get(l.LANES).get(l.lane).i32(2).shl().add().tee(l.addr).loadI32().set(l.count);
      f.get(l.addr).i32(0).storeI32();
      f.get(l.LANES).i32(4 * STRIP).add().get(l.lane).i32(2).shl().add().set(l.ev);
      f.get(l.ev).get(l.count).i32(8).shl().add().set(l.evEnd);
      f.whileLoop(
        () => f.get(l.ev).get(l.evEnd).ltU(),
        () => {
          f.get(l.n).i32(2).shl().set(l.addr);
          f.get(l.STARTS).get(l.addr).add().get(l.base).get(l.ev).loadI32().add().storeI32();
          f.get(l.LENGTHS).get(l.addr).add().get(l.ev).loadI32(4 * STRIP).get(l.ev).loadI32().sub().storeI32();
          f.inc(l.n, 1);
          f.inc(l.ev, 2 * 4 * STRIP);
        },
      );
    },
  );
}

// ---------------------------------------------------------------- parse

/**
 * parse(text, nBytes, total, starts, lengths) → number of runs, or -1 if the text is invalid.
 * text[nBytes] must be a space (the caller writes it): it ends the last token and the text.
 * Accepts exactly what rle.ts's scanner accepts: positive integers separated by ASCII whitespace,
 * an even number of them, runs sorted, disjoint and inside the image of `total` pixels.
 * A tight loop per token's digits (its exit is the one hard-to-predict branch per token) measured
 * ~20% faster than one loop over all bytes.
 */
export function parseFunction(): FunctionBuilder {
  const f = new FunctionBuilder([I32, I32, I32, I32, I32], [I32]);
  const [TEXT, NBYTES, TOTAL, STARTS, LENGTHS] = [0, 1, 2, 3, 4];
  const p = f.local(I32);
  const end = f.local(I32);
  const c = f.local(I32);
  const v = f.local(I32);
  const isLength = f.local(I32); // the token just read is a run length
  const start = f.local(I32);
  const prevEnd = f.local(I32); // 1-based exclusive end of the previous run
  const n = f.local(I32);
  const fail = (): void => {
    f.i32(-1).ret();
  };
  const isDigit = (): void => {
    f.get(c).i32(48).sub().i32(10).ltU();
  };
  f.get(TEXT).set(p);
  f.get(TEXT).get(NBYTES).add().set(end);
  f.block().loop(); // tokens
  // Skip whitespace up to the next digit; at the closing space, the text is done.
  f.block().loop();
  f.get(p).loadU8().set(c);
  isDigit();
  f.brIf(1);
  f.get(p).get(end).geU().brIf(3);
  // Not a digit: must be a space, \t, \n or \r.
  f.get(c).i32(32).ne().get(c).i32(9).sub().i32(2).geU().and().get(c).i32(13).ne().and();
  f.if();
  fail();
  f.end();
  f.inc(p, 1);
  f.br(0).end().end();
  // The token's digits. v <= total < 2^28 (rle-wasm.ts caps the memory), so v * 10 + 9 cannot wrap.
  f.i32(0).set(v);
  f.loop();
  f.get(v).i32(10).mul().get(c).add().i32(48).sub().set(v);
  f.when(() => f.get(v).get(TOTAL).gtU(), fail); // > total: no valid start or length
  f.inc(p, 1);
  f.get(p).loadU8().set(c);
  isDigit();
  f.brIf(0);
  f.end();
  f.when(() => f.get(v).eqz(), fail);
  f.get(isLength).if();
  // Sorted and disjoint (start >= previous end) and inside the image (start + v - 1 <= total).
  f.when(() => f.get(start).get(prevEnd).ltU(), fail);
  f.when(() => f.get(v).get(TOTAL).get(start).sub().i32(1).add().gtU(), fail);
  f.get(STARTS).get(n).i32(2).shl().add().get(start).i32(1).sub().storeI32();
  f.get(LENGTHS).get(n).i32(2).shl().add().get(v).storeI32();
  f.inc(n, 1);
  f.get(start).get(v).add().set(prevEnd);
  f.else();
  f.get(v).set(start);
  f.end();
  f.get(isLength).i32(1).xor().set(isLength);
  f.br(0).end().end();
  f.when(() => f.get(isLength), fail); // odd number of tokens
  f.get(n);
  return f;
}

// ---------------------------------------------------------------- format

/**
 * format(starts, lengths, n, out) → bytes written: runs [0, n) (n >= 1, sorted, 0-based starts)
 * as "start length start length ..." with 1-based starts, touching runs merged (the canonical
 * form). Writes up to 8 bytes past the returned length.
 */
export function formatFunction(): FunctionBuilder {
  const f = new FunctionBuilder([I32, I32, I32, I32], [I32]);
  const [STARTS, LENGTHS, N, OUT] = [0, 1, 2, 3];
  const r = f.local(I32);
  const p = f.local(I32);
  const len = f.local(I32);
  const d: DigitLocals = { o: f.local(I32), v: f.local(I32), count: f.local(I32), hi: f.local(I32), z: f.local(I64), q: f.local(I64) };
  const at = (base: number): void => {
    f.get(base).get(r).i32(2).shl().add();
  };
  f.get(OUT).set(d.o);
  f.get(STARTS).loadI32().set(p);
  f.get(LENGTHS).loadI32().set(len);
  f.i32(1).set(r);
  f.block().loop();
  // Merge the runs that start where this one ends.
  f.block().loop();
  f.get(r).get(N).geU().brIf(1);
  at(STARTS);
  f.loadI32().get(p).get(len).add().ne().brIf(1);
  at(LENGTHS);
  f.loadI32().get(len).add().set(len);
  f.inc(r, 1);
  f.br(0).end().end();
  f.when(
    () => f.get(d.o).get(OUT).ne(),
    () => {
      f.get(d.o).i32(32).store8();
      f.inc(d.o, 1);
    },
  );
  f.get(p).i32(1).add().set(d.v);
  putNumber(f, d);
  f.get(d.o).i32(32).store8();
  f.inc(d.o, 1);
  f.get(len).set(d.v);
  putNumber(f, d);
  f.get(r).get(N).geU().brIf(1);
  at(STARTS);
  f.loadI32().set(p);
  at(LENGTHS);
  f.loadI32().set(len);
  f.inc(r, 1);
  f.br(0).end().end();
  f.get(d.o).get(OUT).sub();
  return f;
}

interface DigitLocals {
  o: number;
  v: number;
  count: number;
  hi: number;
  z: number;
  q: number;
}

/** Writes v's decimal digits at o (o advances past them; up to 8 bytes past them are clobbered). */
function putNumber(f: FunctionBuilder, d: DigitLocals): void {
  f.get(d.v).i32(1e8).geU().if();
  // 9 or 10 digits: the leading 1 or 2 first, then the other 8 with their leading zeros.
  f.get(d.v).i32(1e8).divU().set(d.hi);
  digitCount(f, d.hi, d.count);
  put8Digits(f, d, d.hi);
  f.get(d.v).i32(1e8).remU().set(d.v);
  f.i32(8).set(d.count);
  f.else();
  digitCount(f, d.v, d.count);
  f.end();
  put8Digits(f, d, d.v);
}

/** count = number of decimal digits of v < 10⁸: 1 + (v >= 10) + ... + (v >= 10⁷), no branch. */
function digitCount(f: FunctionBuilder, v: number, count: number): void {
  f.i32(1);
  for (let p = 10; p < 1e8; p *= 10) f.get(v).i32(p).geU().add();
  f.set(count);
}

/**
 * Writes the last `count` of the 8 decimal digits of v < 10⁸ at o, o += count. No loop and no
 * branch per digit (they mispredict on short numbers of varying length): the digits are spread
 * one per byte of an i64, SWAR style — v → 2 lanes of 4 digits (÷ 10⁴) → 4 lanes of 2 (÷ 100 as
 * ×5243 >> 19) → 8 lanes of 1 (÷ 10 as ×103 >> 10), each a multiply, shift and mask that keeps
 * the lanes apart — then + '0' and shifted past the leading zeros; one 8-byte store.
 */
function put8Digits(f: FunctionBuilder, d: DigitLocals, v: number): void {
  // z: lane 0 (low 32 bits) = the upper 4 digits, lane 1 = the lower 4.
  f.get(v).i32(10000).divU().extendU();
  f.get(v).i32(10000).remU().extendU().i64(32).i64Shl().i64Or().set(d.z);
  // Each 32-bit lane a < 10⁴ → 16-bit lanes (a / 100, a % 100).
  f.get(d.z).i64(5243).i64Mul().i64(19).i64ShrU().i64(0x0000007f0000007fn).i64And().set(d.q);
  f.get(d.q).get(d.z).get(d.q).i64(100).i64Mul().i64Sub().i64(16).i64Shl().i64Or().set(d.z);
  // Each 16-bit lane b < 100 → bytes (b / 10, b % 10).
  f.get(d.z).i64(103).i64Mul().i64(10).i64ShrU().i64(0x000f000f000f000fn).i64And().set(d.q);
  f.get(d.q).get(d.z).get(d.q).i64(10).i64Mul().i64Sub().i64(8).i64Shl().i64Or();
  // Bytes in memory order = digits, most significant first: to ASCII, drop the leading zeros.
  f.i64(0x3030303030303030n).i64Add().i32(8).get(d.count).sub().i32(3).shl().extendU().i64ShrU().set(d.z);
  f.get(d.o).get(d.z).storeI64();
  f.get(d.o).get(d.count).add().set(d.o);
}

// ---------------------------------------------------------------- build

/**
 * build(starts, lengths, n, H, W, value, mask, state): runs [0, n) (0-based column-major starts,
 * sorted, disjoint) → `value` in the row-major H*W mask, 0 elsewhere.
 *
 * The mask is only touched where runs are: `state` holds, for the whole mask, the rows [y0, y1) the
 * last build wrote (2 i32, then 2 spare), then for each 16-column strip the rows [lo, hi) it wrote
 * there (2 i32 per strip); everything outside is zero. A build first clears those ranges, so a
 * Severstal mask costs about its defect area, not its 400 KB.
 */
export function buildFunction(): FunctionBuilder {
  const f = new FunctionBuilder([I32, I32, I32, I32, I32, I32, I32, I32]);
  const [STARTS, LENGTHS, N, H, W, VALUE, MASK, STATE] = [0, 1, 2, 3, 4, 5, 6, 7];
  const l: BuildLocals = {
    H,
    W,
    MASK,
    STATE,
    r: f.local(I32),
    len: f.local(I32),
    col: f.local(I32),
    row: f.local(I32),
    end: f.local(I32),
    a: f.local(I32),
    last: f.local(I32),
    strip: f.local(I32),
    range: f.local(I32),
    lo: f.local(I32),
    hi: f.local(I32),
    byte: f.local(I32),
    vec: f.local(V128),
    zero: f.local(V128), // wasm locals start zeroed
  };
  // 1. Clear what the last build wrote; ranges become empty ([H, 0): any row lowers lo, raises hi).
  forEachStrip(f, l, () => {
    stripRows(f, l, () => f.get(l.a).get(l.zero).storeV(), () => f.get(l.a).i32(0).store8());
    f.get(l.range).get(H).storeI32(0);
    f.get(l.range).i32(0).storeI32(4);
  });

  // 2. XOR `value` into each column segment's first row and the row below its end; widen the
  // strip's range, kept in lo/hi while the segments (in column order) stay in one strip.
  const toggle = (y: number): void => {
    f.get(MASK).get(y).get(W).mul().add().get(l.col).add().tee(l.a).get(l.a).loadU8().get(VALUE).xor().store8();
  };
  const loadRange = (): void => {
    f.get(l.range).loadI32(0).set(l.lo);
    f.get(l.range).loadI32(4).set(l.hi);
  };
  const storeRange = (): void => {
    f.get(l.range).get(l.lo).storeI32(0);
    f.get(l.range).get(l.hi).storeI32(4);
  };
  f.get(STATE).i32(16).add().set(l.range);
  loadRange();
  f.forRange(l.r, { local: N }, () => {
    f.get(LENGTHS).get(l.r).i32(2).shl().add().loadI32().set(l.len);
    f.get(STARTS).get(l.r).i32(2).shl().add().loadI32().tee(l.row).get(H).divU().set(l.col);
    f.get(l.row).get(l.col).get(H).mul().sub().set(l.row);
    f.whileLoop(
      () => f.get(l.len),
      () => {
        // end = min(row + len, H): the segment is rows [row, end) of column col.
        f.get(l.row).get(l.len).add().set(l.end);
        f.get(H).get(l.end).get(l.end).get(H).gtU().select().set(l.end);
        f.get(l.len).get(l.end).get(l.row).sub().sub().set(l.len);
        toggle(l.row);
        f.when(
          () => f.get(l.end).get(H).ltU(),
          () => {
            toggle(l.end);
            f.inc(l.end, 1); // its toggle row is written too
          },
        );
        f.get(STATE).i32(16).add().get(l.col).i32(4).shrU().i32(3).shl().add().set(l.a);
        f.when(
          () => f.get(l.a).get(l.range).ne(),
          () => {
            storeRange();
            f.get(l.a).set(l.range);
            loadRange();
          },
        );
        f.get(l.row).get(l.lo).get(l.row).get(l.lo).ltU().select().set(l.lo);
        f.get(l.end).get(l.hi).get(l.end).get(l.hi).gtU().select().set(l.hi);
        f.inc(l.col, 1);
        f.i32(0).set(l.row);
      },
    );
  });
  storeRange();

  // 3. In each strip, XOR each row of its range with the row above: toggles → filled segments.
  // y0/y1 (kept in row/end) = the union of the ranges: all empty ([H, 0)) gives [H, 0) too.
  f.get(H).set(l.row);
  f.i32(0).set(l.end);
  forEachStrip(f, l, () => {
    f.get(l.lo).get(l.row).get(l.lo).get(l.row).ltU().select().set(l.row);
    f.get(l.hi).get(l.end).get(l.hi).get(l.end).gtU().select().set(l.end);
    f.inc(l.lo, 1); // the range's first row stays as it is
    stripRows(
      f,
      l,
      () => f.get(l.a).get(l.a).loadV().get(l.vec).xorV().tee(l.vec).storeV(),
      () => f.get(l.a).get(l.a).loadU8().get(l.byte).xor().tee(l.byte).store8(),
      () => f.get(l.a).get(W).sub().loadV().set(l.vec),
      () => f.get(l.a).get(W).sub().loadU8().set(l.byte),
    );
  });
  f.get(STATE).get(l.row).storeI32(0);
  f.get(STATE).get(l.end).storeI32(4);
  return f;
}

interface BuildLocals {
  H: number;
  W: number;
  MASK: number;
  STATE: number;
  r: number;
  len: number;
  col: number;
  row: number;
  end: number;
  a: number;
  last: number;
  strip: number;
  range: number;
  lo: number;
  hi: number;
  byte: number;
  vec: number;
  zero: number;
}

/** For strip = 0, 16, 32, ... < W: range = its state entry, lo/hi = its rows; then body. */
function forEachStrip(f: FunctionBuilder, l: BuildLocals, body: () => void): void {
  f.i32(0).set(l.strip);
  f.get(l.STATE).i32(16).add().set(l.range);
  f.whileLoop(
    () => f.get(l.strip).get(l.W).ltU(),
    () => {
      f.get(l.range).loadI32(0).set(l.lo);
      f.get(l.range).loadI32(4).set(l.hi);
      body();
      f.inc(l.strip, 16);
      f.inc(l.range, 8);
    },
  );
}

/**
 * Runs `vector` at a = &mask[y][strip] for y in [lo, hi) when the strip has 16 columns, else
 * `scalar` at a = &mask[y][x] for each of its columns x, column by column. `vectorStart` /
 * `scalarStart` run first at each column's first a (for the row above).
 */
function stripRows(
  f: FunctionBuilder,
  l: BuildLocals,
  vector: () => void,
  scalar: () => void,
  vectorStart = (): void => {},
  scalarStart = (): void => {},
): void {
  const column = (x: () => void, start: () => void, body: () => void): void => {
    f.get(l.MASK).get(l.lo).get(l.W).mul().add();
    x();
    f.add().set(l.a);
    f.get(l.MASK).get(l.hi).get(l.W).mul().add();
    x();
    f.add().set(l.last);
    f.when(
      () => f.get(l.a).get(l.last).ltU(),
      () => {
        start();
        f.whileLoop(
          () => f.get(l.a).get(l.last).ltU(),
          () => {
            body();
            f.inc(l.a, { local: l.W });
          },
        );
      },
    );
  };
  f.get(l.strip).i32(16).add().get(l.W).leU().if();
  column(() => f.get(l.strip), vectorStart, vector);
  f.else();
  // The last, narrower strip: one column at a time (col is free here).
  f.get(l.strip).set(l.col);
  f.whileLoop(
    () => f.get(l.col).get(l.W).ltU(),
    () => {
      column(() => f.get(l.col), scalarStart, scalar);
      f.inc(l.col, 1);
    },
  );
  f.end();
}
