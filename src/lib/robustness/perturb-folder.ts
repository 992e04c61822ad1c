/**
 * Writes perturbed copies of every image in a folder, same relative names, so any tool (ours or
 * not) can be evaluated on them. Each image gets its own seeded draw (`seed/relative path`), the
 * same on every run. Unreadable files are named, counted and skipped; the others are written.
 */
import * as fs from "fs";
import * as path from "path";
import sharp from "sharp";
import { isImageFile, readImage, sniffImageFormat, toUint8, walkFiles } from "../data/image-io";
import { DataError } from "../data/types";
import { writeFileAtomic, writeJsonAtomic } from "../util/atomic-write";
import { createProgress } from "../util/progress";
import { perturb, perturbationByName } from "./registry";
import type { PerturbationKind } from "./types";

export interface PerturbFolderOptions {
  kind: PerturbationKind;
  severity: number;
  seed: number;
  /** "same": the source's format where sharp writes it (JPEG at quality 95, 4:4:4), else PNG; "png": lossless PNG bytes. */
  format?: "same" | "png";
}

export interface PerturbFolderReport {
  kind: PerturbationKind;
  severity: number;
  seed: number;
  parameters: Record<string, number>[];
  written: number;
  /** Files written as PNG bytes because their format cannot be written (e.g. BMP). */
  asPng: string[];
  failed: { file: string; error: string }[];
}

async function encodeLike(image: Awaited<ReturnType<typeof readImage>>, source: string | undefined, format: "same" | "png"): Promise<{ bytes: Buffer; png: boolean }> {
  const u8 = toUint8(image);
  let pipe = sharp(Buffer.from(u8.data.buffer, u8.data.byteOffset, u8.data.byteLength), { raw: { width: u8.width, height: u8.height, channels: u8.channels as 1 | 3 } });
  if (u8.channels === 1) pipe = pipe.toColourspace("b-w");
  // JPEG at 95 with full chroma: the perturbation, not the re-encoding, should dominate.
  if (format === "same" && source === "JPEG") return { bytes: await pipe.jpeg({ quality: 95, chromaSubsampling: "4:4:4" }).toBuffer(), png: false };
  if (format === "same" && source === "TIFF") return { bytes: await pipe.tiff().toBuffer(), png: false };
  return { bytes: await pipe.png().toBuffer(), png: format === "same" && source !== "PNG" };
}

export async function perturbFolder(inDir: string, outDir: string, options: PerturbFolderOptions): Promise<PerturbFolderReport> {
  const perturbation = perturbationByName(options.kind);
  if (!fs.existsSync(inDir) || !fs.statSync(inDir).isDirectory()) throw new DataError(`${inDir} is not a folder`, inDir);
  const files = walkFiles(inDir).filter((f) => isImageFile(f));
  if (files.length === 0) throw new DataError(`no image files (${[".jpg", ".png", ".bmp", ".tif"].join(", ")}) under ${inDir}`, inDir);
  if (path.resolve(outDir) === path.resolve(inDir)) throw new DataError(`--out must differ from --images (${inDir}): perturbed copies never overwrite the originals`, outDir);
  const report: PerturbFolderReport = { kind: options.kind, severity: options.severity, seed: options.seed, parameters: [], written: 0, asPng: [], failed: [] };
  const sizes = new Set<string>();
  const bar = createProgress({ total: files.length, label: `perturb ${options.kind} s${options.severity}` });
  for (const file of files) {
    const rel = path.relative(inDir, file);
    try {
      const bytes = fs.readFileSync(file);
      const image = await readImage(file);
      const out = await perturb(image, options.kind, options.severity, `${options.seed}/${rel}`);
      const enc = await encodeLike(out, sniffImageFormat(bytes), options.format ?? "same");
      writeFileAtomic(path.join(outDir, rel), enc.bytes);
      if (enc.png) report.asPng.push(rel);
      const key = `${image.height}x${image.width}`;
      if (!sizes.has(key)) {
        sizes.add(key);
        report.parameters.push({ height: image.height, width: image.width, ...perturbation.parameters(options.severity, image) });
      }
      report.written++;
    } catch (err) {
      const message = (err as Error).message.split("\n")[0];
      report.failed.push({ file: rel, error: message });
      process.stderr.write(`perturb: skipped ${rel}: ${message}\n`);
    }
    bar.tick(1, { failed: report.failed.length });
  }
  bar.done({ written: report.written, failed: report.failed.length });
  writeJsonAtomic(path.join(outDir, "perturb.json"), report);
  return report;
}
