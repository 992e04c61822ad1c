/**
 * Explaining a folder of images with a trained classifier (the `explain` command): images are
 * preprocessed exactly as `predictFolder` does (readImage at the run's size and channels), the
 * target is the predicted class or a named one, and per image a grey heatmap and an overlay are
 * written at the image's own size, plus cams.csv (image, target class, probability, the CAM
 * peak in image pixels). A file that cannot be read becomes an error row, counted; the others are
 * still written. With `boxesDir` (VOC XML named like the images) the localisation scores too.
 */
import * as fs from "fs";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { stringify } from "csv-stringify/sync";
import { isImageFile, readImage, walkFiles, writeImagePng } from "../data/image-io";
import { DataError, ImageData32 } from "../data/types";
import { parseVocXml } from "../data/voc";
import type { TrainedConfig } from "../experiments/classification";
import { writeFileAtomic, writeJsonAtomic } from "../util/atomic-write";
import { createProgress } from "../util/progress";
import { galleryPng, GalleryRow } from "./gallery";
import { boxesMask, camPeak, localise, LocalisationRow, summariseLocalisation } from "./metrics/localisation";
import { createCam } from "./methods/index";
import { camGrey, camOverlay, Colormap } from "./overlay";
import { classLogit } from "./targets";

export interface ExplainFolderOptions {
  method: string;
  /** "predicted" or a class name of the run. */
  target: string;
  layer?: string;
  outDir: string;
  boxesDir?: string;
  batchSize?: number;
  colormap?: Colormap;
  /** Overlays in outDir/gradcam.png (the write-up's figure). */
  figureImages?: number;
}

export interface CamRow {
  image: string;
  targetClass: string;
  probability: number;
  peakX: number;
  peakY: number;
  error: string;
}

export interface ExplainFolderResult {
  rows: CamRow[];
  errors: number;
  files: Record<string, string>;
  localisation?: { summary: ReturnType<typeof summariseLocalisation>; skipped: { image: string; reason: string }[] };
}

function resizeCam(cam: tf.Tensor2D, height: number, width: number): Float32Array {
  return tf.tidy(() => tf.image.resizeBilinear(cam.expandDims(0).expandDims(3) as tf.Tensor4D, [height, width]).dataSync() as Float32Array);
}

/** The VOC file of an image: same base name, .xml. */
function annotationFor(boxesDir: string, image: string): string {
  return path.join(boxesDir, `${path.basename(image, path.extname(image))}.xml`);
}

export async function explainFolder(model: tf.LayersModel, config: TrainedConfig, folder: string, opts: ExplainFolderOptions): Promise<ExplainFolderResult> {
  if (!fs.existsSync(folder) || !fs.statSync(folder).isDirectory()) throw new Error(`--images ${folder} is not a folder`);
  const files = walkFiles(folder).filter(isImageFile).sort();
  if (files.length === 0) throw new Error(`no image files (.jpg .png .bmp …) under ${folder}`);
  const fixed = opts.target === "predicted" ? undefined : config.classNames.indexOf(opts.target);
  if (fixed === -1) throw new Error(`--target must be "predicted" or one of ${config.classNames.join(", ")}, got "${opts.target}"`);
  if (opts.boxesDir && !fs.existsSync(opts.boxesDir)) throw new Error(`--boxes ${opts.boxesDir} does not exist`);
  const cam = createCam(opts.method, model, { layer: opts.layer });
  const rows: CamRow[] = [];
  const loc: LocalisationRow[] = [];
  const skipped: { image: string; reason: string }[] = [];
  const figure: GalleryRow[] = [];
  const bs = opts.batchSize ?? 8;
  const progress = createProgress({ total: files.length, label: `explain (${opts.method})` });
  for (let i = 0; i < files.length; i += bs) {
    const chunk = files.slice(i, i + bs);
    const ok: { file: string; input: ImageData32; full: ImageData32 }[] = [];
    for (const file of chunk) {
      try {
        ok.push({ file, input: await readImage(file, { channels: config.channels, ...config.imageSize }), full: await readImage(file) });
      } catch (err) {
        if (!(err instanceof DataError)) throw err;
        rows.push({ image: path.relative(folder, file), targetClass: "", probability: NaN, peakX: NaN, peakY: NaN, error: err.message });
      }
    }
    if (ok.length > 0) {
      const x = tf.tidy(() => tf.stack(ok.map((o) => tf.tensor3d(o.input.data, [o.input.height, o.input.width, o.input.channels]))) as tf.Tensor4D);
      const p = tf.tidy(() => model.apply(x, { training: false }) as tf.Tensor);
      const probs = (await p.array()) as number[][];
      p.dispose();
      const classes = probs.map((p) => fixed ?? p.indexOf(Math.max(...p)));
      const maps = cam.compute(x, classLogit(classes));
      const perImage = tf.unstack(maps) as tf.Tensor2D[];
      for (const [k, o] of ok.entries()) {
        const rel = path.relative(folder, o.file);
        const full = resizeCam(perImage[k], o.full.height, o.full.width);
        const stem = rel.replace(/\.[^.]+$/, "");
        await writeImagePng(path.join(opts.outDir, "heatmaps", `${stem}.png`), camGrey(full, o.full.height, o.full.width));
        const overlay = camOverlay(o.full, full, { colormap: opts.colormap });
        await writeImagePng(path.join(opts.outDir, "overlays", `${stem}.png`), overlay);
        const peak = camPeak(full);
        const cls = config.classNames[classes[k]];
        rows.push({ image: rel, targetClass: cls, probability: probs[k][classes[k]], peakX: peak % o.full.width, peakY: Math.floor(peak / o.full.width), error: "" });
        if (figure.length < (opts.figureImages ?? 8)) figure.push({ caption: [`${rel}: ${cls} p=${probs[k][classes[k]].toFixed(3)}`], tiles: [o.full, overlay] });
        if (opts.boxesDir) {
          const xml = annotationFor(opts.boxesDir, o.file);
          if (!fs.existsSync(xml)) skipped.push({ image: rel, reason: `no annotation ${path.basename(xml)}` });
          else {
            const ann = parseVocXml(fs.readFileSync(xml, "utf8"), xml);
            if (ann.objects.length === 0) skipped.push({ image: rel, reason: `${path.basename(xml)} has no boxes` });
            else {
              const size = { height: o.full.height, width: o.full.width };
              const from = ann.width > 0 && ann.height > 0 ? { height: ann.height, width: ann.width } : size;
              loc.push(localise(full, boxesMask(ann.objects, from, size), ann.objects[0].className));
            }
          }
        }
      }
      tf.dispose([x, maps, ...perImage]);
    }
    progress.tick(chunk.length);
  }
  progress.done();
  rows.sort((a, b) => a.image.localeCompare(b.image));
  const files_: Record<string, string> = { csv: path.join(opts.outDir, "cams.csv") };
  writeFileAtomic(files_.csv, stringify(rows.map((r) => [r.image, r.targetClass, Number.isFinite(r.probability) ? r.probability.toFixed(6) : "", Number.isFinite(r.peakX) ? r.peakX : "", Number.isFinite(r.peakY) ? r.peakY : "", r.error]), { header: true, columns: ["image", "target_class", "probability", "peak_x", "peak_y", "error"] }));
  if (figure.length > 0) {
    files_.figure = path.join(opts.outDir, "gradcam.png");
    writeFileAtomic(files_.figure, await galleryPng(figure));
  }
  const result: ExplainFolderResult = { rows, errors: rows.filter((r) => r.error).length, files: files_ };
  if (opts.boxesDir) {
    result.localisation = { summary: summariseLocalisation(loc), skipped };
    files_.localisation = path.join(opts.outDir, "localisation.json");
    writeJsonAtomic(files_.localisation, { method: opts.method, layer: cam.split.layerName, target: opts.target, ...result.localisation });
  }
  return result;
}
