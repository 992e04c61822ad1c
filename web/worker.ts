/**
 * The inspection page's inference worker: loads the exported model with tfjs (webgl when it
 * works, else wasm — the wasm binaries served from ./wasm/, nothing from a CDN), and for each
 * image: decode (createImageBitmap, no colour conversion) → the same preprocessing as Node
 * (src/lib/export/pixels.ts) → probabilities → the decision (src/lib/export/decision.ts) →
 * the library's own Grad-CAM (src/lib/explain) of the decided class → the segmenter's masks.
 */
import * as tf from "@tensorflow/tfjs";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import "../src/lib/models/input-normalization";
import { GradCam } from "../src/lib/explain/methods/grad-cam";
import { classLogit } from "../src/lib/explain/targets";
import { toModelInput } from "../src/lib/export/pixels";
import { decide } from "../src/lib/export/decision";
import type { ExportMetadata } from "../src/lib/export/metadata";
import type { FromWorker, ToWorker } from "./protocol";

const ctx = self as unknown as { postMessage(m: FromWorker, transfer?: Transferable[]): void; onmessage: ((e: MessageEvent<ToWorker>) => void) | null };

let model: tf.LayersModel | undefined;
let meta: ExportMetadata | undefined;
let cam: GradCam | undefined;
let segmenter: { model: tf.LayersModel; meta: ExportMetadata } | undefined;
let queue: Promise<void> = Promise.resolve();
let withCam = true;

async function pickBackend(want: string): Promise<string> {
  setWasmPaths(new URL("wasm/", self.location.href.replace(/[^/]*$/, "")).href);
  const order = want === "auto" ? ["webgl", "wasm", "cpu"] : [want, "wasm", "cpu"];
  for (const b of order) {
    try {
      if (await tf.setBackend(b)) {
        await tf.ready();
        return b;
      }
    } catch {
      /* next */
    }
  }
  throw new Error("no tfjs backend works in this browser");
}

async function fetchJson<T>(url: string): Promise<T | undefined> {
  const r = await fetch(url);
  return r.ok ? ((await r.json()) as T) : undefined;
}

async function init(modelUrl: string, backend: string): Promise<void> {
  const used = await pickBackend(backend);
  meta = await fetchJson<ExportMetadata>(modelUrl + "metadata.json");
  if (!meta) throw new Error(`no ${modelUrl}metadata.json: build the page with a model folder written by the export command`);
  model = await tf.loadLayersModel(modelUrl + "model.json");
  cam = new GradCam(model);
  const segUrl = meta.segmenter ? modelUrl + meta.segmenter : undefined;
  const segMeta = segUrl ? await fetchJson<ExportMetadata>(segUrl + "metadata.json") : undefined;
  if (segUrl && segMeta) segmenter = { model: await tf.loadLayersModel(segUrl + "model.json"), meta: segMeta };
  ctx.postMessage({ type: "ready", metadata: meta, segmenter: segmenter?.meta ?? null, backend: used });
}

async function pixels(bytes: ArrayBuffer): Promise<{ rgba: Uint8ClampedArray; height: number; width: number }> {
  let bmp: ImageBitmap;
  try {
    bmp = await createImageBitmap(new Blob([bytes]), { colorSpaceConversion: "none", premultiplyAlpha: "none" });
  } catch {
    throw new Error("cannot decode this file as an image (corrupt, truncated or not an image)");
  }
  const canvas = new OffscreenCanvas(bmp.width, bmp.height);
  const g = canvas.getContext("2d", { willReadFrequently: true }) as OffscreenCanvasRenderingContext2D;
  g.drawImage(bmp, 0, 0);
  bmp.close();
  return { rgba: g.getImageData(0, 0, canvas.width, canvas.height).data, height: canvas.height, width: canvas.width };
}

async function predict(id: number, name: string, bytes: ArrayBuffer): Promise<void> {
  const t0 = performance.now();
  const { rgba, height, width } = await pixels(bytes);
  const m = meta!;
  const x = toModelInput(rgba, height, width, m.input);
  const input = tf.tensor4d(x.data, [1, x.height, x.width, x.channels]);
  try {
    const out = tf.tidy(() => model!.predict(input) as tf.Tensor);
    const probs = Array.from(await out.data());
    out.dispose();
    const decision = decide(probs, m);
    const k = m.classNames.indexOf(decision.label.split("+")[0]);
    let camData = new Float32Array(0);
    if (withCam) {
      const map = cam!.compute(input, classLogit(Math.max(0, k)));
      camData = (await map.data()) as Float32Array;
      map.dispose();
    }
    let mask: Float32Array | undefined;
    let maskHeight: number | undefined;
    let maskWidth: number | undefined;
    if (segmenter) {
      const s = toModelInput(rgba, height, width, segmenter.meta.input);
      const y = tf.tidy(() => segmenter!.model.predict(tf.tensor4d(s.data, [1, s.height, s.width, s.channels])) as tf.Tensor);
      mask = (await y.data()) as Float32Array;
      [maskHeight, maskWidth] = [y.shape[1] as number, y.shape[2] as number];
      y.dispose();
    }
    const result = { id, name, probs, decision, cam: camData, camHeight: x.height, camWidth: x.width, mask, maskHeight, maskWidth, imageHeight: height, imageWidth: width, ms: performance.now() - t0 };
    ctx.postMessage({ type: "result", result }, [camData.buffer, ...(mask ? [mask.buffer] : [])]);
  } finally {
    input.dispose();
  }
}

ctx.onmessage = (e) => {
  const msg = e.data;
  // One image at a time, in order: the worker's memory stays flat on a folder of thousands.
  queue = queue.then(async () => {
    if (msg.type === "init") {
      withCam = msg.cam;
      await init(msg.modelUrl, msg.backend).catch((err: Error) => ctx.postMessage({ type: "fatal", error: err.message }));
      return;
    }
    await predict(msg.id, msg.name, msg.bytes).catch((err: Error) => ctx.postMessage({ type: "failed", id: msg.id, name: msg.name, error: err.message }));
  });
};
