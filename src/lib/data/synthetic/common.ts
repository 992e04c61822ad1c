/**
 * What the three synthetic generators share: the generator version (bump it whenever the drawing
 * changes, so cached copies are regenerated), per-profile sizes, and a bounded pool of JPEG encodes.
 */
import * as fs from "fs";
import * as path from "path";
import sharp from "sharp";
import { Profile } from "../../config/run-config";

/** Bump on ANY change to what the generators write; `ensureSyntheticData` regenerates on mismatch. */
export const GENERATOR_VERSION = "1.0.0";

/** Images per profile: Severstal total images; NEU and GC10 images per class. */
export const SYNTHETIC_SIZES: Record<Profile, { severstal: number; neuPerClass: number; gc10PerClass: number }> = {
  smoke: { severstal: 48, neuPerClass: 12, gc10PerClass: 2 },
  quick: { severstal: 1000, neuPerClass: 120, gc10PerClass: 12 },
  full: { severstal: 4000, neuPerClass: 300, gc10PerClass: 40 },
};

/** Manifest written as `<dataset>/manifest.json`; `key` decides whether a cached copy is current. */
export interface SyntheticManifest {
  dataset: "severstal" | "neu" | "gc10";
  generatorVersion: string;
  seed: number;
  profile: Profile | "custom";
  /** Planned counts (known before drawing): what a stale copy is compared on. */
  counts: Record<string, number | number[]>;
  /** Measured while drawing (mask areas, box sizes): documentation, not compared. */
  stats: Record<string, unknown>;
}

/**
 * JPEG writes with at most `limit` encodes in flight: drawing is synchronous JS, encoding runs on
 * libuv's thread pool, so the two overlap and both cores stay busy.
 */
export class JpegPool {
  private inFlight: Promise<void>[] = [];

  constructor(private readonly limit = 6) {}

  async write(file: string, data: Uint8Array, height: number, width: number, channels: 1 | 3, quality: number): Promise<void> {
    if (this.inFlight.length >= this.limit) await this.flush();
    fs.mkdirSync(path.dirname(file), { recursive: true });
    let img = sharp(Buffer.from(data.buffer, data.byteOffset, data.byteLength), { raw: { width, height, channels } });
    // sharp writes sRGB by default; a grey source must say so to become a 1-component JPEG.
    if (channels === 1) img = img.toColourspace("b-w");
    const p = img
      .jpeg({ quality, chromaSubsampling: "4:4:4" })
      .toFile(file)
      .then(() => undefined);
    this.inFlight.push(p);
  }

  async flush(): Promise<void> {
    const all = this.inFlight;
    this.inFlight = [];
    await Promise.all(all);
  }
}

/** Median and range of a list of numbers (for the manifest stats). */
export function summarize(values: number[]): { n: number; min: number; median: number; max: number } {
  if (values.length === 0) return { n: 0, min: 0, median: 0, max: 0 };
  const s = [...values].sort((a, b) => a - b);
  return { n: s.length, min: s[0], median: s[Math.floor(s.length / 2)], max: s[s.length - 1] };
}
