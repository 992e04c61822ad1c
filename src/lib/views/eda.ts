/** Notebook views of the EDA numbers (src/lib/experiments/eda.ts): plotly charts, danfojs tables, overlays. */
import { Dataset } from "../data/types";
import { aggregate, classBoxStats, classExamplesPng, severstalEda, SeverstalEda, severstalOverlays } from "../experiments/eda";
import { barChart, histogram } from "../report/charts";
import { showFigure, Figure } from "../report/plotly";
import { showMarkdown, showPng, showTable } from "../report/display";
import { Cell } from "../report/html";

export async function showSeverstalEda(ds: Dataset): Promise<SeverstalEda> {
  const eda = severstalEda(ds);
  const s = eda.summary;
  showMarkdown(`**${s.images}** images: **${s.defectFree}** defect-free (${((100 * s.defectFree) / Math.max(1, s.images)).toFixed(1)} %), ${s.withDefects} with defects, ${eda.defects.length} defect masks.`);
  showFigure(barChart(ds.classNames, s.labelCounts, { title: "Single-label classes (OK + first defect class)", yTitle: "images" }), { height: 340 });
  showFigure(
    barChart(s.perClass.map((p) => p.name), s.perClass.map((p) => p.images), { title: "Multi-label: images containing each defect class", yTitle: "images" }),
    { height: 340 },
  );
  showFigure(barChart(["0", "1", "2", "3", "4"], s.imagesByDefectCount, { title: "Defect classes per image", xTitle: "classes present", yTitle: "images" }), { height: 320 });
  const byClass: Record<string, number[]> = {};
  for (const d of eda.defects) (byClass[d.className] ??= []).push(Math.log10(d.area));
  showFigure(histogram(byClass, { title: "Mask area per defect", xTitle: "log10(defect pixels)" }), { height: 360 });
  showTable(aggregate(eda.defects as unknown as Record<string, Cell>[], "className", ["area", "bboxHeight", "bboxWidth", "fill"]), {
    caption: "Mask area and bounding box per class (danfojs groupby)",
    digits: 1,
  });
  for (const o of await severstalOverlays(ds)) showPng(o.png, `${o.className} — ${o.imageId}`);
  return eda;
}

export async function showClassDatasetEda(ds: Dataset, exampleSize: { height: number; width: number }): Promise<ReturnType<typeof classBoxStats>> {
  const st = classBoxStats(ds);
  showFigure(barChart(ds.classNames, st.counts, { title: `${ds.name.toUpperCase()}: images per class`, yTitle: "images" }), { height: 340 });
  if (st.boxes.length) {
    const fig: Figure = {
      data: ds.classNames.map((name) => {
        const b = st.boxes.filter((x) => x.className === name);
        return { type: "scatter", mode: "markers", name, x: b.map((x) => x.width), y: b.map((x) => x.height), marker: { size: 5, opacity: 0.6 } };
      }),
      layout: { title: { text: `${ds.name.toUpperCase()}: VOC box sizes (${st.boxes.length} boxes)` }, xaxis: { title: { text: "width (px)" } }, yaxis: { title: { text: "height (px)" } } },
    };
    showFigure(fig, { height: 380 });
    showTable(aggregate(st.boxes as unknown as Record<string, Cell>[], "className", ["width", "height"]), { caption: "Box size per class (danfojs groupby)", digits: 1 });
  }
  showPng(await classExamplesPng(ds, exampleSize), `${ds.name.toUpperCase()}: one example per class (${ds.classNames.join(", ")})`);
  return st;
}
