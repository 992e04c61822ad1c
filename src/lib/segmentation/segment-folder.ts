/**
 * Predicts every image of a folder into a verified submission.csv. Errors are per file: an image
 * that cannot be read or has the wrong size is named in `failed` (and counted); every other image
 * still gets its 4 rows. A failed image gets NO rows — the caller sees it in the report and the
 * summary JSON rather than as a silently empty prediction.
 */
import * as path from "path";
import { isImageFile, maskOverlayPng, readImage, walkFiles } from "../data/image-io";
import { writeFileAtomic, writeJsonAtomic } from "../util/atomic-write";
import { createProgress } from "../util/progress";
import { postprocessMasks, resolvePostprocess, type PostprocessInput } from "./postprocess";
import type { TilePredictor } from "./predict";
import { predictImageFile, type FilePredictOptions } from "./predict-file";
import { writeSubmission, type PredictedMasks, type SubmissionForm, type SubmissionReport } from "./submission";

export interface SegmentFolderOptions extends Omit<FilePredictOptions, "channels"> {
  /** Image size every file must have; default 256×1600. */
  height?: number;
  width?: number;
  /** Channels the model takes; default 1. */
  channels?: 1 | 3;
  postprocess?: PostprocessInput;
  /** Classifier presence probabilities [4] per ImageId (needed when a class is gated)… */
  presence?: (imageId: string) => number[] | undefined;
  /** …or a classifier run on each file (runner/gating presenceOf; a file it cannot read fails like any other). */
  gate?: (file: string) => Promise<number[]>;
  /** Where to write the CSV (a path under outputs/, never inside the input folder). */
  submissionFile: string;
  form?: SubmissionForm;
  /** Summary JSON (counts, failures); default next to the submission as segment_summary.json. */
  summaryFile?: string;
  /** Also write <ImageId stem>.png here: the image with its predicted masks overlaid. */
  overlayDir?: string;
  /** Called for each failed file as it fails (the CLI prints it at once). */
  onFailure?: (f: FolderFailure) => void;
}

export interface FolderFailure {
  file: string;
  reason: string;
}

export interface SegmentFolderReport {
  dir: string;
  found: number;
  predicted: number;
  failed: FolderFailure[];
  submission?: SubmissionReport;
  summaryFile: string;
}

export async function segmentFolder(model: TilePredictor, dir: string, opts: SegmentFolderOptions): Promise<SegmentFolderReport> {
  const H = opts.height ?? 256;
  const W = opts.width ?? 1600;
  const settings = resolvePostprocess(4, opts.postprocess);
  const files = walkFiles(dir, 0).filter((f) => isImageFile(f));
  const failed: FolderFailure[] = [];
  const preds: PredictedMasks[] = [];
  const bar = createProgress({ total: files.length, label: `predict ${path.basename(dir)}` });
  for (const file of files) {
    const imageId = path.basename(file);
    try {
      const { prob, image: img } = await predictImageFile(model, file, { ...opts, channels: opts.channels ?? 1, sizeCheck: { height: H, width: W } });
      const presence = opts.gate ? await opts.gate(file) : opts.presence?.(imageId);
      const mask = postprocessMasks(prob, H, W, settings, presence);
      preds.push({ imageId, mask });
      if (opts.overlayDir) {
        const rgb = opts.channels === 3 ? img : await readImage(file, { channels: 3 });
        writeFileAtomic(path.join(opts.overlayDir, `${imageId.replace(/\.[^.]+$/, "")}.png`), await maskOverlayPng(rgb, mask));
      }
    } catch (err) {
      const f = { file, reason: (err as Error).message };
      failed.push(f);
      opts.onFailure?.(f);
    }
    bar.tick(1, { failed: failed.length });
  }
  bar.done({ predicted: preds.length, failed: failed.length });
  const submission = preds.length > 0 ? writeSubmission(opts.submissionFile, preds, { form: opts.form, height: H, width: W }) : undefined;
  const summaryFile = opts.summaryFile ?? path.join(path.dirname(opts.submissionFile), "segment_summary.json");
  const report: SegmentFolderReport = { dir, found: files.length, predicted: preds.length, failed, submission, summaryFile };
  writeJsonAtomic(summaryFile, { ...report, settings });
  return report;
}
