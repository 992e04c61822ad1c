/** Trials as flat rows (Optuna's trials_dataframe columns): the table, JSON and CSV share them. */
import { ParamValue } from "../distributions";
import { FrozenTrial, externalParams } from "../trial/frozen";

export type TrialRow = Record<string, number | string | boolean | null>;

export function trialRows(trials: FrozenTrial[]): TrialRow[] {
  const paramNames = [...new Set(trials.flatMap((t) => Object.keys(t.params)))].sort();
  const attrNames = [...new Set(trials.flatMap((t) => Object.keys(t.userAttrs)))].sort();
  const nValues = Math.max(1, ...trials.map((t) => t.values?.length ?? 0));
  return trials.map((t) => {
    const p = externalParams(t);
    const row: TrialRow = { number: t.number, state: t.state };
    for (let i = 0; i < nValues; i++) row[nValues === 1 ? "value" : `values_${i}`] = t.values?.[i] ?? null;
    row.duration_s = t.start !== null && t.complete !== null ? (t.complete - t.start) / 1000 : null;
    for (const n of paramNames) row[`params_${n}`] = (p[n] ?? null) as ParamValue;
    for (const a of attrNames) {
      const v = t.userAttrs[a];
      row[`user_attrs_${a}`] = v === undefined ? null : typeof v === "object" && v !== null ? JSON.stringify(v) : (v as number | string | boolean);
    }
    return row;
  });
}
