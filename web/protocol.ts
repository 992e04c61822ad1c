/** Messages between the page (app.ts) and its inference worker (worker.ts). */
import type { ExportMetadata } from "../src/lib/export/metadata";
import type { Decision } from "../src/lib/export/decision";

export type ToWorker =
  | { type: "init"; modelUrl: string; backend: "auto" | "wasm" | "webgl" | "cpu"; cam: boolean }
  | { type: "predict"; id: number; name: string; bytes: ArrayBuffer };

export interface ImageResult {
  id: number;
  name: string;
  probs: number[];
  decision: Decision;
  /** Grad-CAM of the decided class, [camHeight × camWidth] in [0, 1]. */
  cam: Float32Array;
  camHeight: number;
  camWidth: number;
  /** Segmenter masks [maskHeight × maskWidth × K] probabilities, when a segmenter was exported. */
  mask?: Float32Array;
  maskHeight?: number;
  maskWidth?: number;
  imageHeight: number;
  imageWidth: number;
  ms: number;
}

export type FromWorker =
  | { type: "ready"; metadata: ExportMetadata; segmenter: ExportMetadata | null; backend: string }
  | { type: "result"; result: ImageResult }
  | { type: "failed"; id: number; name: string; error: string }
  | { type: "fatal"; error: string };
