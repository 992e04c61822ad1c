/**
 * Static PNG charts (confusion_matrix.png, roc.png, learning curves) for artefacts under outputs/,
 * drawn as SVG and rasterised by sharp (librsvg) — no browser needed.
 */
import sharp from "sharp";
import { escapeHtml } from "./html";

const PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

export async function svgToPng(svg: string): Promise<Buffer> {
  return sharp(Buffer.from(svg)).png().toBuffer();
}

function text(x: number, y: number, s: string, o: { size?: number; anchor?: string; fill?: string; rotate?: number; weight?: string } = {}): string {
  const rot = o.rotate ? ` transform="rotate(${o.rotate} ${x} ${y})"` : "";
  return `<text x="${x}" y="${y}" font-family="DejaVu Sans, Arial, sans-serif" font-size="${o.size ?? 12}" text-anchor="${o.anchor ?? "middle"}" fill="${o.fill ?? "#222"}"${o.weight ? ` font-weight="${o.weight}"` : ""}${rot}>${escapeHtml(s)}</text>`;
}

/** Confusion matrix SVG: rows true, columns predicted; colour by row share, text = count. */
export function confusionMatrixSvg(matrix: number[][], classNames: string[], title = "Confusion matrix"): string {
  const n = classNames.length;
  const cell = Math.max(36, Math.min(72, Math.floor(480 / n)));
  // Room for the longest class label (~7 px a character) between the "true" title and the cells.
  const left = Math.max(130, 40 + 7 * Math.max(0, ...classNames.map((c) => c.length)));
  const top = 60;
  const w = left + n * cell + 30;
  const h = top + n * cell + 110;
  const parts: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}"><rect width="100%" height="100%" fill="white"/>`];
  parts.push(text(w / 2, 28, title, { size: 16, weight: "bold" }));
  for (let i = 0; i < n; i++) {
    const rowSum = matrix[i].reduce((s, v) => s + v, 0) || 1;
    for (let j = 0; j < n; j++) {
      const share = matrix[i][j] / rowSum;
      const shade = Math.round(255 - share * 200);
      const x = left + j * cell;
      const y = top + i * cell;
      parts.push(`<rect x="${x}" y="${y}" width="${cell}" height="${cell}" fill="rgb(${shade},${shade + Math.round(share * 20)},255)" stroke="#fff"/>`);
      parts.push(text(x + cell / 2, y + cell / 2 + 4, String(matrix[i][j]), { fill: share > 0.55 ? "#fff" : "#111" }));
    }
    parts.push(text(left - 8, top + i * cell + cell / 2 + 4, classNames[i], { anchor: "end" }));
    parts.push(text(left + i * cell + cell / 2, top + n * cell + 16, classNames[i], { anchor: "end", rotate: -35 }));
  }
  parts.push(text(left + (n * cell) / 2, h - 12, "predicted", { size: 13 }));
  parts.push(text(18, top + (n * cell) / 2, "true", { size: 13, rotate: -90 }));
  parts.push("</svg>");
  return parts.join("\n");
}

export interface XYSeries {
  name: string;
  x: number[];
  y: number[];
  dashed?: boolean;
}

/** A line chart SVG with axes in data units, legend at the bottom. */
export function lineChartSvg(series: XYSeries[], opts: { title: string; xTitle: string; yTitle: string; xRange?: [number, number]; yRange?: [number, number]; xTicks?: number[] }): string {
  const W = 640;
  const H = 480;
  const m = { l: 64, r: 20, t: 44, b: 74 + 18 * Math.ceil(series.length / 2) };
  const xs = series.flatMap((s) => s.x).filter(Number.isFinite);
  const ys = series.flatMap((s) => s.y).filter(Number.isFinite);
  const [x0, x1] = opts.xRange ?? [Math.min(...xs), Math.max(...xs)];
  const [y0, y1] = opts.yRange ?? [Math.min(...ys), Math.max(...ys)];
  const sx = (v: number) => m.l + ((v - x0) / (x1 - x0 || 1)) * (W - m.l - m.r);
  const sy = (v: number) => H - m.b - ((v - y0) / (y1 - y0 || 1)) * (H - m.t - m.b);
  const parts: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}"><rect width="100%" height="100%" fill="white"/>`];
  parts.push(text(W / 2, 26, opts.title, { size: 16, weight: "bold" }));
  const xTicks = opts.xTicks ?? Array.from({ length: 6 }, (_, k) => x0 + ((x1 - x0) * k) / 5);
  for (const xv of xTicks) {
    parts.push(`<line x1="${sx(xv)}" y1="${m.t}" x2="${sx(xv)}" y2="${H - m.b}" stroke="#eee"/>`);
    parts.push(text(sx(xv), H - m.b + 16, Number(xv.toPrecision(3)).toString(), { size: 11 }));
  }
  for (let k = 0; k <= 5; k++) {
    const yv = y0 + ((y1 - y0) * k) / 5;
    parts.push(`<line x1="${m.l}" y1="${sy(yv)}" x2="${W - m.r}" y2="${sy(yv)}" stroke="#eee"/>`);
    parts.push(text(m.l - 6, sy(yv) + 4, Number(yv.toPrecision(3)).toString(), { size: 11, anchor: "end" }));
  }
  parts.push(`<rect x="${m.l}" y="${m.t}" width="${W - m.l - m.r}" height="${H - m.t - m.b}" fill="none" stroke="#444"/>`);
  series.forEach((s, i) => {
    const pts = s.x.map((x, k) => `${sx(x).toFixed(1)},${sy(s.y[k]).toFixed(1)}`).join(" ");
    const color = PALETTE[i % PALETTE.length];
    parts.push(`<polyline points="${pts}" fill="none" stroke="${color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5,4"' : ""}/>`);
    const lx = m.l + (i % 2) * 280;
    const ly = H - m.b + 56 + 18 * Math.floor(i / 2);
    parts.push(`<line x1="${lx}" y1="${ly - 4}" x2="${lx + 22}" y2="${ly - 4}" stroke="${color}" stroke-width="2"/>`);
    parts.push(text(lx + 28, ly, s.name, { anchor: "start", size: 12 }));
  });
  parts.push(text((m.l + W - m.r) / 2, H - m.b + 32, opts.xTitle, { size: 13 }));
  parts.push(text(16, (m.t + H - m.b) / 2, opts.yTitle, { size: 13, rotate: -90 }));
  parts.push("</svg>");
  return parts.join("\n");
}

export function rocSvg(curves: { name: string; fpr: number[]; tpr: number[]; auc: number }[], title = "ROC curves"): string {
  return lineChartSvg(
    [...curves.map((c) => ({ name: `${c.name} (AUC ${c.auc.toFixed(3)})`, x: c.fpr, y: c.tpr })), { name: "chance", x: [0, 1], y: [0, 1], dashed: true }],
    { title, xTitle: "false positive rate", yTitle: "true positive rate", xRange: [0, 1], yRange: [0, 1] },
  );
}
