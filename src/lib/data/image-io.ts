/**
 * Image I/O on sharp (libvips). Files are decoded BY CONTENT: sharp sniffs the magic bytes, so the
 * Severstal samples (PNG bytes under `.jpg` names) decode like real JPEGs. Every failure (missing,
 * empty, truncated, unknown format) becomes a `DataError` naming the path, never a libvips stack.
 *
 * Channel policy (`readImage(..., {channels})`):
 * - grey (1 channel) → 3: the grey value is replicated into R, G and B;
 * - RGB (3 channels) → 1: Rec.601 luminance 0.299 R + 0.587 G + 0.114 B. For grey-content RGB files
 *   (Severstal, NEU-DET: R = G = B) that is exactly the grey value, so nothing is lost;
 * - alpha is dropped; 16-bit inputs are reduced to 8 bits before scaling to [0, 1].
 */
import * as fs from "fs";
import * as path from "path";
import sharp from "sharp";
import * as tf from "@tensorflow/tfjs";
import { DataError, ImageData32 } from "./types";
import { writeFileAtomic } from "../util/atomic-write";

export interface ReadImageOptions {
  /** Output channels; default: the file's own (1 for grey, 3 for colour). */
  channels?: 1 | 3;
  /** Resize to this size (bilinear, fit "fill": the aspect ratio is NOT kept). Both or neither. */
  height?: number;
  width?: number;
}

/** An 8-bit image (0..255), channel-last; what figures and generators hand to the PNG writer. */
export interface ImageData8 {
  data: Uint8Array;
  height: number;
  width: number;
  channels: number;
}

const MAGIC: { name: string; bytes: number[] }[] = [
  { name: "JPEG", bytes: [0xff, 0xd8, 0xff] },
  { name: "PNG", bytes: [0x89, 0x50, 0x4e, 0x47] },
  { name: "BMP", bytes: [0x42, 0x4d] },
  { name: "GIF", bytes: [0x47, 0x49, 0x46] },
  { name: "TIFF", bytes: [0x49, 0x49, 0x2a, 0x00] },
  { name: "TIFF", bytes: [0x4d, 0x4d, 0x00, 0x2a] },
  { name: "WebP", bytes: [0x52, 0x49, 0x46, 0x46] },
];

/** The format named by the file's first bytes, or undefined (used only to word error messages). */
export function sniffImageFormat(bytes: Uint8Array): string | undefined {
  for (const m of MAGIC) {
    if (bytes.length >= m.bytes.length && m.bytes.every((b, i) => bytes[i] === b)) return m.name;
  }
  return undefined;
}

function readBytes(file: string): Buffer {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const what = code === "ENOENT" ? "file not found" : code === "EISDIR" ? "is a directory, not an image" : String(err);
    throw new DataError(`cannot read image ${file}: ${what}`, file);
  }
  if (buf.length === 0) throw new DataError(`cannot read image ${file}: the file is empty (0 bytes)`, file);
  return buf;
}

function decodeError(file: string, bytes: Uint8Array, err: unknown): DataError {
  const fmt = sniffImageFormat(bytes);
  const detail = (err instanceof Error ? err.message : String(err)).split("\n")[0];
  const what = fmt
    ? `the ${fmt} data is corrupt or truncated (${detail}); re-download or re-extract the file`
    : `not a recognised image format (first bytes ${Buffer.from(bytes.subarray(0, 4)).toString("hex")}); expected JPEG/PNG/BMP`;
  return new DataError(`cannot decode image ${file}: ${what}`, file);
}

/**
 * Minimal BMP decoder: uncompressed 8-bit palette, 24-bit and 32-bit (BI_RGB, or BI_BITFIELDS with
 * the usual BGRA masks), bottom-up or top-down. sharp's prebuilt libvips has no BMP loader, and NEU-CLS ships `.bmp`.
 * Palette images whose palette is grey decode to 1 channel; others to 3. Throws Error on anything else.
 */
export function decodeBmp(bytes: Uint8Array): ImageData8 {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.length < 54 || b.toString("latin1", 0, 2) !== "BM") throw new Error("not a BMP file");
  const dataOffset = b.readUInt32LE(10);
  const headerSize = b.readUInt32LE(14);
  if (headerSize < 40) throw new Error(`unsupported BMP header size ${headerSize} (OS/2 bitmaps are not supported)`);
  const width = b.readInt32LE(18);
  const rawHeight = b.readInt32LE(22);
  const bpp = b.readUInt16LE(28);
  const compression = b.readUInt32LE(30);
  const height = Math.abs(rawHeight);
  const topDown = rawHeight < 0;
  if (width <= 0 || height <= 0) throw new Error(`bad BMP size ${width}x${rawHeight}`);
  if (compression !== 0 && !(compression === 3 && bpp === 32)) throw new Error(`compressed BMP (compression ${compression}) is not supported`);
  if (bpp !== 8 && bpp !== 24 && bpp !== 32) throw new Error(`${bpp}-bit BMP is not supported (8, 24, 32 are)`);
  const stride = Math.ceil((width * bpp) / 32) * 4;
  if (dataOffset + stride * height > b.length) throw new Error(`truncated BMP: ${b.length} bytes, pixel data needs ${dataOffset + stride * height}`);
  let palette: Uint8Array | undefined;
  let grey = false;
  if (bpp === 8) {
    const colours = b.readUInt32LE(46) || 256;
    const start = 14 + headerSize;
    palette = new Uint8Array(256 * 3);
    grey = true;
    for (let i = 0; i < colours && start + 4 * i + 3 <= dataOffset; i++) {
      const bl = b[start + 4 * i];
      const g = b[start + 4 * i + 1];
      const r = b[start + 4 * i + 2];
      palette[3 * i] = r;
      palette[3 * i + 1] = g;
      palette[3 * i + 2] = bl;
      if (r !== g || g !== bl) grey = false;
    }
  }
  const channels = grey ? 1 : 3;
  const out = new Uint8Array(width * height * channels);
  for (let y = 0; y < height; y++) {
    const row = dataOffset + (topDown ? y : height - 1 - y) * stride;
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * channels;
      if (palette) {
        const i = b[row + x];
        if (grey) out[o] = palette[3 * i];
        else {
          out[o] = palette[3 * i];
          out[o + 1] = palette[3 * i + 1];
          out[o + 2] = palette[3 * i + 2];
        }
      } else {
        const q = row + x * (bpp / 8);
        out[o] = b[q + 2];
        out[o + 1] = b[q + 1];
        out[o + 2] = b[q];
      }
    }
  }
  return { data: out, height, width, channels };
}

/** sharp input for file bytes: BMP is decoded here (see `decodeBmp`), the rest by libvips. */
function sharpInput(bytes: Buffer): sharp.Sharp {
  if (sniffImageFormat(bytes) === "BMP") {
    const img = decodeBmp(bytes);
    const pipe = sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength), {
      raw: { width: img.width, height: img.height, channels: img.channels as 1 | 3 },
    });
    return img.channels === 1 ? pipe.toColourspace("b-w") : pipe;
  }
  return sharp(bytes, { failOn: "truncated" });
}

/**
 * Decodes an image file (JPEG, PNG, TIFF, WebP, GIF via sharp; BMP via `decodeBmp`) to float32
 * [H, W, C] in [0, 1] (channel-last, see `ImageData32`).
 * Truncated data is an error (sharp `failOn: "truncated"`), not a silently grey bottom half.
 */
export async function readImage(file: string, opts: ReadImageOptions = {}): Promise<ImageData32> {
  if ((opts.height === undefined) !== (opts.width === undefined)) {
    throw new Error(`readImage(${file}): give both height and width to resize, or neither`);
  }
  const bytes = readBytes(file);
  let raw: { data: Buffer; info: sharp.OutputInfo };
  try {
    let pipe = sharpInput(bytes);
    // sharp converts to sRGB on output; keep single-channel (grey) sources single-channel.
    const meta = await pipe.metadata();
    if ((meta.channels ?? 3) <= 2) pipe = pipe.toColourspace("b-w");
    if (opts.height !== undefined && opts.width !== undefined) {
      pipe = pipe.resize(opts.width, opts.height, { fit: "fill", kernel: "linear" });
    }
    raw = await pipe.removeAlpha().raw({ depth: "uchar" }).toBuffer({ resolveWithObject: true });
  } catch (err) {
    throw decodeError(file, bytes, err);
  }
  const { width, height, channels: srcC } = raw.info;
  const outC = opts.channels ?? (srcC >= 3 ? 3 : 1);
  return convertChannels(raw.data, height, width, srcC, outC);
}

/** uint8 [H, W, srcC] → float32 [H, W, outC] in [0, 1] with the channel policy of this module. */
export function convertChannels(src: Uint8Array, height: number, width: number, srcC: number, outC: number): ImageData32 {
  const n = height * width;
  const out = new Float32Array(n * outC);
  const k = 1 / 255;
  if (srcC === outC) {
    for (let i = 0; i < out.length; i++) out[i] = src[i] * k;
  } else if (outC === 3 && srcC <= 2) {
    for (let p = 0; p < n; p++) {
      const v = src[p * srcC] * k;
      out[3 * p] = v;
      out[3 * p + 1] = v;
      out[3 * p + 2] = v;
    }
  } else if (outC === 1 && srcC >= 3) {
    for (let p = 0; p < n; p++) {
      const o = p * srcC;
      // Rounded back to the 8-bit grid so R = G = B content gives exactly its grey value.
      out[p] = Math.round(0.299 * src[o] + 0.587 * src[o + 1] + 0.114 * src[o + 2]) * k;
    }
  } else if (outC === 1) {
    for (let p = 0; p < n; p++) out[p] = src[p * srcC] * k;
  } else {
    throw new Error(`cannot convert ${srcC} channels to ${outC}`);
  }
  return { data: out, height, width, channels: outC };
}

/** Header-only size (no pixel decode): fast enough to call on every file of a dataset. */
export async function readImageSize(file: string): Promise<{ height: number; width: number; channels: number }> {
  return sizeFromBytes(file, readBytes(file));
}

async function sizeFromBytes(file: string, bytes: Buffer): Promise<{ height: number; width: number; channels: number }> {
  try {
    if (sniffImageFormat(bytes) === "BMP") {
      const img = decodeBmp(bytes);
      return { height: img.height, width: img.width, channels: img.channels };
    }
    const meta = await sharp(bytes).metadata();
    if (!meta.width || !meta.height) throw new Error("no size in header");
    return { height: meta.height, width: meta.width, channels: meta.channels ?? 0 };
  } catch (err) {
    throw decodeError(file, bytes, err);
  }
}

/** What a pre-flight check needs to know about an image file, read without decoding pixels. */
export interface ImageHeader {
  /** Format named by the magic bytes ("JPEG", "PNG", ...). */
  format: string;
  height: number;
  width: number;
  channels: number;
}

/** Bytes searched at the end of a file for its end marker (encoders may pad a little after it). */
const TRAILER_WINDOW = 4096;

function endsLikeComplete(format: string, bytes: Uint8Array): boolean {
  const from = Math.max(0, bytes.length - TRAILER_WINDOW);
  if (format === "JPEG") {
    // 0xFFD9 cannot occur inside entropy-coded data (0xFF is byte-stuffed), so it is the EOI marker.
    for (let i = bytes.length - 2; i >= from; i--) if (bytes[i] === 0xff && bytes[i + 1] === 0xd9) return true;
    return false;
  }
  if (format === "PNG") return Buffer.from(bytes.buffer, bytes.byteOffset + from, bytes.length - from).includes("IEND");
  return true;
}

/**
 * Size and format from the header, plus a check that a JPEG/PNG ends with its end marker (a header
 * read alone accepts a truncated file). Throws a DataError naming the file with code
 * `unreadable-image` (missing, empty, not an image, corrupt header) or `truncated-image`.
 */
export async function probeImage(file: string): Promise<ImageHeader> {
  let size: { height: number; width: number; channels: number };
  let bytes: Buffer;
  try {
    bytes = readBytes(file);
    size = await sizeFromBytes(file, bytes);
  } catch (err) {
    if (!(err instanceof DataError)) throw err;
    throw new DataError(err.message, file, undefined, undefined, "unreadable-image");
  }
  const format = sniffImageFormat(bytes) ?? "unknown";
  if (!endsLikeComplete(format, bytes)) {
    throw new DataError(
      `cannot use image ${file}: the ${format} file is truncated (no end marker; ${bytes.length} bytes); re-download or re-extract it`,
      file,
      undefined,
      undefined,
      "truncated-image",
    );
  }
  return { format, ...size };
}

/** [H, W, C] float32 tensor sharing the layout of `ImageData32`; the caller disposes it. */
export function imageToTensor(img: ImageData32): tf.Tensor3D {
  return tf.tensor3d(img.data, [img.height, img.width, img.channels], "float32");
}

/** Float [0, 1] image → uint8 (clamped, rounded); uint8 images pass through. */
export function toUint8(img: ImageData32 | ImageData8): ImageData8 {
  if (img.data instanceof Uint8Array) return img as ImageData8;
  const src = img.data;
  const out = new Uint8Array(src.length);
  for (let i = 0; i < src.length; i++) {
    const v = src[i] * 255;
    out[i] = v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
  }
  return { data: out, height: img.height, width: img.width, channels: img.channels };
}

function checkShape(img: ImageData32 | ImageData8, what: string): void {
  const { height, width, channels } = img;
  if (!(channels >= 1 && channels <= 4) || img.data.length !== height * width * channels) {
    throw new Error(`${what}: data length ${img.data.length} does not match ${height}x${width}x${channels}`);
  }
}

/** PNG bytes of an image (float [0, 1] or uint8), optionally resized (nearest, so masks stay crisp). */
export async function encodePng(img: ImageData32 | ImageData8, opts: { height?: number; width?: number } = {}): Promise<Buffer> {
  checkShape(img, "encodePng");
  const u8 = toUint8(img);
  let pipe = sharp(Buffer.from(u8.data.buffer, u8.data.byteOffset, u8.data.byteLength), {
    raw: { width: u8.width, height: u8.height, channels: u8.channels as 1 | 2 | 3 | 4 },
  });
  if (opts.height !== undefined || opts.width !== undefined) {
    pipe = pipe.resize(opts.width ?? null, opts.height ?? null, { fit: "fill", kernel: "nearest" });
  }
  // sharp writes sRGB by default; grey (and grey+alpha) must say so to stay single-channel.
  if (u8.channels <= 2) pipe = pipe.toColourspace("b-w");
  return pipe.png().toBuffer();
}

/** Writes a PNG atomically (figures, EDA examples). */
export async function writeImagePng(
  file: string,
  img: ImageData32 | ImageData8,
  opts: { height?: number; width?: number } = {},
): Promise<void> {
  writeFileAtomic(file, await encodePng(img, opts));
}

/** Default overlay colours (RGB 0..255) for class channel 0, 1, ...: Severstal classes 1–4 first. */
export const OVERLAY_COLORS: readonly [number, number, number][] = [
  [255, 64, 64],
  [64, 200, 64],
  [64, 128, 255],
  [255, 200, 0],
  [255, 0, 255],
  [0, 220, 220],
];

export interface OverlayOptions {
  /** Fill opacity of mask pixels (the outline is drawn opaque). Default 0.4. */
  alpha?: number;
  /** Draw each region's outline at full opacity (default true), so thin/low-contrast defects stay visible. */
  outline?: boolean;
}

/**
 * PNG of `img` with every class channel of `mask` ([H, W, C] uint8, 1 = defect) blended in its
 * colour (semi-transparent fill + opaque outline). Grey images are shown as RGB.
 */
export async function maskOverlayPng(
  img: ImageData32,
  mask: Uint8Array,
  colors: readonly (readonly [number, number, number])[] = OVERLAY_COLORS,
  opts: OverlayOptions = {},
): Promise<Buffer> {
  checkShape(img, "maskOverlayPng");
  const { height: H, width: W } = img;
  const n = H * W;
  if (mask.length % n !== 0 || mask.length === 0) {
    throw new Error(`maskOverlayPng: mask length ${mask.length} is not a multiple of H*W = ${H}*${W}`);
  }
  const C = mask.length / n;
  const alpha = opts.alpha ?? 0.4;
  const outline = opts.outline ?? true;
  const rgb = new Float32Array(n * 3);
  const src = img.data;
  const ic = img.channels;
  for (let p = 0; p < n; p++) {
    for (let k = 0; k < 3; k++) rgb[3 * p + k] = src[p * ic + (ic >= 3 ? k : 0)] * 255;
  }
  for (let c = 0; c < C; c++) {
    const col = colors[c % colors.length];
    const at = (y: number, x: number) => mask[(y * W + x) * C + c] !== 0;
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        if (!at(y, x)) continue;
        const edge =
          outline && (y === 0 || x === 0 || y === H - 1 || x === W - 1 || !at(y - 1, x) || !at(y + 1, x) || !at(y, x - 1) || !at(y, x + 1));
        const a = edge ? 1 : alpha;
        const o = 3 * (y * W + x);
        for (let k = 0; k < 3; k++) rgb[o + k] = rgb[o + k] * (1 - a) + col[k] * a;
      }
    }
  }
  const u8 = new Uint8Array(n * 3);
  for (let i = 0; i < u8.length; i++) u8[i] = Math.max(0, Math.min(255, Math.round(rgb[i])));
  return encodePng({ data: u8, height: H, width: W, channels: 3 });
}

/** File extensions the dataset loaders treat as images (lower case, with the dot). */
export const IMAGE_EXTENSIONS: readonly string[] = [".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff"];

export function isImageFile(name: string): boolean {
  const dot = name.lastIndexOf(".");
  return dot > 0 && IMAGE_EXTENSIONS.includes(name.slice(dot).toLowerCase());
}

/**
 * Absolute paths of the regular files under `dir`, down to `maxDepth` folder levels (0 = `dir`
 * only), sorted, skipping hidden entries (".*"). Dataset roots are scanned with it so that any
 * nesting of an archive (`NEU-DET/train/images/...`) is accepted.
 */
export function walkFiles(dir: string, maxDepth = 4): string[] {
  const out: string[] = [];
  const visit = (d: string, depth: number) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch (err) {
      throw new DataError(`cannot list ${d}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, d);
    }
    for (const e of entries) {
      if (e.name.startsWith(".")) continue;
      const p = path.join(d, e.name);
      let isDir = e.isDirectory();
      let isFile = e.isFile();
      if (e.isSymbolicLink()) {
        const st = fs.statSync(p, { throwIfNoEntry: false });
        isDir = Boolean(st?.isDirectory());
        isFile = Boolean(st?.isFile());
      }
      if (isDir && depth < maxDepth) visit(p, depth + 1);
      else if (isFile) out.push(p);
    }
  };
  visit(path.resolve(dir), 0);
  return out.sort();
}
