/**
 * The inspection page (main thread): file / folder picking and dropping, a progress bar, the
 * batch table (sortable, "needs review" filter, CSV in the predict command's format) and the
 * detail view of one image (probabilities, decision, Grad-CAM overlay, segmentation masks).
 * All inference runs in worker.js; this file only draws.
 */
import type { ExportMetadata } from "../src/lib/export/metadata";
import { predictionsCsvText } from "../src/lib/export/decision";
import type { FromWorker, ImageResult, ToWorker } from "./protocol";

const IMAGE_EXT = /\.(jpe?g|png|bmp|tiff?)$/i;
const MASK_COLORS: [number, number, number][] = [[255, 64, 64], [64, 200, 64], [64, 128, 255], [255, 200, 0], [255, 0, 255], [0, 220, 220]];

interface Row {
  id: number;
  name: string;
  result?: ImageResult;
  error?: string;
  file: File;
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const params = new URLSearchParams(location.search);
const worker = new Worker("worker.js");
let meta: ExportMetadata | undefined;
let segMeta: ExportMetadata | null = null;
let rows: Row[] = [];
let pending = 0;
let total = 0;
let nextId = 0;
let sortKey = "name";
let sortDir = 1;
let selected: Row | undefined;
let readyResolve: () => void;
const ready = new Promise<void>((r) => (readyResolve = r));

// Read by the end-to-end test (and handy in the console).
(window as unknown as { inspect: unknown }).inspect = { rows: () => rows, ready, pending: () => pending };

const send = (m: ToWorker, transfer: Transferable[] = []) => worker.postMessage(m, transfer);
send({ type: "init", modelUrl: "model/", backend: (params.get("backend") as "wasm") ?? "auto", cam: params.get("cam") !== "0" });

worker.onmessage = (e: MessageEvent<FromWorker>) => {
  const m = e.data;
  if (m.type === "ready") {
    meta = m.metadata;
    segMeta = m.segmenter;
    const op = meta.operatingPoint;
    $("status").textContent =
      `${meta.model} (${meta.quantization === "none" ? "float32" : meta.quantization}) · ${meta.classNames.length} classes · input ${meta.input.height}×${meta.input.width}×${meta.input.channels} · ` +
      `trained on ${meta.data.source} ${meta.data.dataset} (test accuracy ${(100 * meta.metrics.testAccuracy).toFixed(1)} %) · backend ${m.backend}` +
      (op ? ` · safety-first: ${op.critical} flagged when ${op.factor.toFixed(2)} × p ≥ the others` : "") +
      (segMeta ? ` · segmenter: ${segMeta.classNames.join(", ")}` : "");
    document.body.dataset.backend = m.backend;
    renderHead();
    readyResolve();
  } else if (m.type === "fatal") {
    $("status").textContent = `cannot start: ${m.error}`;
  } else {
    const row = rows.find((r) => r.id === (m.type === "result" ? m.result.id : m.id));
    if (row) {
      if (m.type === "result") row.result = m.result;
      else row.error = m.error;
    }
    pending--;
    progress();
    renderBody();
    if (row && !selected) select(row);
  }
};

function progress(): void {
  const p = $<HTMLProgressElement>("progress");
  p.hidden = total === 0;
  p.max = Math.max(1, total);
  p.value = total - pending;
  $("progress-text").textContent = total ? `${total - pending} / ${total}${pending ? "" : " done"}` : "";
  $<HTMLButtonElement>("csv").disabled = pending > 0 || rows.length === 0;
}

async function addFiles(files: { file: File; path: string }[]): Promise<void> {
  await ready;
  const images = files.filter((f) => IMAGE_EXT.test(f.path)).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  rows = [];
  selected = undefined;
  total = images.length;
  pending = images.length;
  progress();
  for (const { file, path } of images) {
    const row: Row = { id: nextId++, name: path, file };
    rows.push(row);
    const bytes = await file.arrayBuffer();
    send({ type: "predict", id: row.id, name: path, bytes }, [bytes]);
  }
  renderBody();
}

/** A folder's path inside the picked/dropped folder (as `predict` names rows: relative to the folder). */
function relative(p: string): string {
  const parts = p.split("/").filter(Boolean);
  return parts.length > 1 ? parts.slice(1).join("/") : parts[0];
}

$<HTMLInputElement>("files").onchange = (e) => addFiles(Array.from((e.target as HTMLInputElement).files ?? []).map((file) => ({ file, path: file.name })));
$<HTMLInputElement>("folder").onchange = (e) => addFiles(Array.from((e.target as HTMLInputElement).files ?? []).map((file) => ({ file, path: relative(file.webkitRelativePath || file.name) })));

async function walkEntry(entry: FileSystemEntry, prefix: string, out: { file: File; path: string }[]): Promise<void> {
  if (entry.isFile) {
    const file = await new Promise<File>((res, rej) => (entry as FileSystemFileEntry).file(res, rej));
    out.push({ file, path: prefix + entry.name });
  } else if (entry.isDirectory) {
    const reader = (entry as FileSystemDirectoryEntry).createReader();
    for (;;) {
      const batch = await new Promise<FileSystemEntry[]>((res, rej) => reader.readEntries(res, rej));
      if (!batch.length) break;
      for (const e of batch) if (!e.name.startsWith(".")) await walkEntry(e, prefix + entry.name + "/", out);
    }
  }
}

const drop = $("drop");
drop.ondragover = (e) => {
  e.preventDefault();
  drop.classList.add("over");
};
drop.ondragleave = () => drop.classList.remove("over");
drop.ondrop = async (e) => {
  e.preventDefault();
  drop.classList.remove("over");
  const items = Array.from(e.dataTransfer?.items ?? []).map((i) => i.webkitGetAsEntry()).filter((x): x is FileSystemEntry => x !== null);
  const out: { file: File; path: string }[] = [];
  if (items.length) for (const it of items) await walkEntry(it, "", out);
  else for (const f of Array.from(e.dataTransfer?.files ?? [])) out.push({ file: f, path: f.name });
  // One dropped folder: names relative to it, as `predict --images FOLDER` writes them.
  const single = items.length === 1 && items[0].isDirectory;
  await addFiles(single ? out.map((o) => ({ ...o, path: relative(o.path) })) : out);
};

function columns(): { key: string; label: string }[] {
  if (!meta) return [];
  return [
    { key: "name", label: "image" },
    { key: "decision", label: "decision" },
    ...meta.classNames.map((c, j) => ({ key: `p${j}`, label: `p_${c}` })),
    { key: "margin", label: "margin" },
    { key: "review", label: "review" },
    { key: "ms", label: "ms" },
  ];
}

function value(r: Row, key: string): string | number {
  if (key === "name") return r.name;
  if (!r.result) return key === "decision" ? "~error" : -1;
  if (key === "decision") return r.result.decision.label;
  if (key === "margin") return r.result.decision.margin;
  if (key === "review") return r.result.decision.needsReview ? 1 : 0;
  if (key === "ms") return r.result.ms;
  return r.result.probs[Number(key.slice(1))];
}

function renderHead(): void {
  const tr = document.createElement("tr");
  for (const c of columns()) {
    const th = document.createElement("th");
    th.textContent = c.label + (sortKey === c.key ? (sortDir > 0 ? " ▲" : " ▼") : "");
    th.dataset.key = c.key;
    th.onclick = () => {
      sortDir = sortKey === c.key ? -sortDir : 1;
      sortKey = c.key;
      renderHead();
      renderBody();
    };
    tr.appendChild(th);
  }
  const head = $("results").querySelector("thead")!;
  head.replaceChildren(tr);
}

function renderBody(): void {
  const body = $("results").querySelector("tbody")!;
  const reviewOnly = $<HTMLInputElement>("review-only").checked;
  const shown = rows
    .filter((r) => r.result || r.error)
    .filter((r) => !reviewOnly || r.error || r.result?.decision.needsReview)
    .sort((a, b) => {
      const x = value(a, sortKey);
      const y = value(b, sortKey);
      return (x < y ? -1 : x > y ? 1 : 0) * sortDir;
    });
  const ncol = columns().length;
  body.replaceChildren(
    ...shown.map((r) => {
      const tr = document.createElement("tr");
      tr.dataset.name = r.name;
      if (r.error) {
        tr.className = "error";
        tr.innerHTML = `<td></td><td colspan="${ncol - 1}"></td>`;
        tr.children[0].textContent = r.name;
        tr.children[1].textContent = `error: ${r.error}`;
        return tr;
      }
      const d = r.result!.decision;
      if (d.needsReview) tr.classList.add("review");
      const cells: [string, string | undefined][] = [
        [r.name, undefined],
        [d.label + (d.flagged ? " ⚑" : ""), undefined],
        ...r.result!.probs.map((p): [string, string] => [p.toFixed(4), String(p)]),
        [d.margin.toFixed(3), undefined],
        [d.needsReview ? "needs review" : "", undefined],
        [r.result!.ms.toFixed(0), undefined],
      ];
      for (const [text, exact] of cells) {
        const td = document.createElement("td");
        td.textContent = text;
        if (exact !== undefined) {
          td.className = "num";
          td.dataset.p = exact;
        }
        tr.appendChild(td);
      }
      if (d.flagged) tr.children[1].classList.add("flag");
      tr.onclick = () => select(r);
      return tr;
    }),
  );
  const errors = rows.filter((r) => r.error).length;
  const review = rows.filter((r) => r.result?.decision.needsReview).length;
  $("counts").textContent = `${rows.length - errors - pending} predicted · ${review} need review · ${errors} failed`;
}

$<HTMLInputElement>("review-only").onchange = renderBody;

$("csv").onclick = () => {
  if (!meta) return;
  const sorted = [...rows].sort((a, b) => (a.name < b.name ? -1 : 1));
  const csv = predictionsCsvText(sorted.map((r) => ({ file: r.name, probs: r.result?.probs ?? [], predicted: r.result?.decision.argmaxLabel ?? "", error: r.error })), meta.classNames);
  const a = document.createElement("a");
  a.href = URL.createObjectURL(new Blob([csv], { type: "text/csv" }));
  a.download = "predictions.csv";
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
};

/** Jet-like colour of v in [0, 1]. */
function heat(v: number): [number, number, number] {
  const r = Math.min(1, Math.max(0, 1.5 - Math.abs(4 * v - 3)));
  const g = Math.min(1, Math.max(0, 1.5 - Math.abs(4 * v - 2)));
  const b = Math.min(1, Math.max(0, 1.5 - Math.abs(4 * v - 1)));
  return [255 * r, 255 * g, 255 * b];
}

function mapCanvas(h: number, w: number, paint: (i: number) => [number, number, number, number]): HTMLCanvasElement {
  const c = document.createElement("canvas");
  c.width = w;
  c.height = h;
  const g = c.getContext("2d")!;
  const img = g.createImageData(w, h);
  for (let i = 0; i < h * w; i++) img.data.set(paint(i), 4 * i);
  g.putImageData(img, 0, 0);
  return c;
}

async function select(r: Row): Promise<void> {
  selected = r;
  $("detail").hidden = false;
  const res = r.result;
  $("decision").replaceChildren();
  $("probs").replaceChildren();
  if (!res || !meta) {
    $("decision").textContent = `${r.name}: error: ${r.error ?? "still running"}`;
    return;
  }
  const d = res.decision;
  const line = document.createElement("span");
  line.textContent = `${r.name}: ${d.reason}${d.needsReview ? " — needs review" : ""}`;
  if (d.flagged) line.className = "flag";
  $("decision").appendChild(line);
  for (const [j, c] of meta.classNames.entries()) {
    const tr = document.createElement("tr");
    tr.innerHTML = `<td></td><td class="num"></td><td><span class="bar"></span></td>`;
    tr.children[0].textContent = c;
    tr.children[1].textContent = res.probs[j].toFixed(4);
    (tr.children[2].firstChild as HTMLElement).style.width = `${Math.round(200 * res.probs[j])}px`;
    $("probs").appendChild(tr);
  }
  const toggles = $("mask-toggles");
  if (segMeta && toggles.childElementCount === 0) {
    segMeta.classNames.forEach((c, k) => {
      const l = document.createElement("label");
      l.innerHTML = `<input type="checkbox" data-k="${k}" checked> ${c}`;
      (l.firstChild as HTMLInputElement).onchange = () => selected && select(selected);
      toggles.appendChild(l);
    });
  }
  const bmp = await createImageBitmap(r.file).catch(() => undefined);
  const canvas = $<HTMLCanvasElement>("view");
  const W = res.imageWidth;
  const H = res.imageHeight;
  const scale = Math.min(1, 1000 / W);
  canvas.width = Math.round(W * scale);
  canvas.height = Math.round(H * scale);
  const g = canvas.getContext("2d")!;
  if (bmp) g.drawImage(bmp, 0, 0, canvas.width, canvas.height);
  if ($<HTMLInputElement>("show-cam").checked && res.cam.length) {
    g.globalAlpha = 0.45;
    g.imageSmoothingEnabled = true;
    g.drawImage(mapCanvas(res.camHeight, res.camWidth, (i) => [...heat(res.cam[i]), 255]), 0, 0, canvas.width, canvas.height);
    g.globalAlpha = 1;
  }
  if (res.mask && segMeta) {
    const K = segMeta.classNames.length;
    const on = Array.from(toggles.querySelectorAll("input")).map((i) => (i as HTMLInputElement).checked);
    const th = segMeta.maskThreshold ?? 0.5;
    const m = res.mask;
    g.drawImage(
      mapCanvas(res.maskHeight!, res.maskWidth!, (i) => {
        for (let k = 0; k < K; k++) if (on[k] && m[i * K + k] >= th) return [...MASK_COLORS[k % MASK_COLORS.length], 110];
        return [0, 0, 0, 0];
      }),
      0, 0, canvas.width, canvas.height,
    );
  }
  $("view-caption").textContent = `${W}×${H} · Grad-CAM of ${d.label}${res.mask ? " · masks" : ""} · ${res.ms.toFixed(0)} ms`;
}
$<HTMLInputElement>("show-cam").onchange = () => selected && select(selected);
