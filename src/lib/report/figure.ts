/**
 * A plotly figure as plain data. Its own file so pipelines (HPO results, robustness curves) can
 * build figures without importing the renderer (report/plotly.ts): pipelines never render.
 */
export interface Figure {
  data: object[];
  layout?: Record<string, unknown>;
  config?: Record<string, unknown>;
}
