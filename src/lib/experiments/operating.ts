/**
 * Safety-first operating point (the write-up's "catch every crack"): chosen on the validation
 * split, then applied unchanged to the test split, so the reported price is honest.
 */
import { chooseOperatingPoint, applyOperatingPoint, OperatingPoint } from "../metrics/operating-point";
import { argmaxRows, confusionStats } from "../metrics/confusion";
import { classificationReport, ClassificationReport } from "../metrics/classification-report";
import { f1 } from "../metrics/classification";
import type { Predictions } from "../metrics/classification-scores";

export interface SafetyFirstResult {
  critical: string;
  targetRecall: number;
  /** Chosen on validation. */
  point: OperatingPoint;
  testBefore: ClassificationReport;
  testAfter: ClassificationReport;
  testMacroF1Before: number;
  testMacroF1After: number;
}

export function safetyFirst(val: Predictions, test: Predictions, critical: string, targetRecall: number): SafetyFirstResult {
  const c = val.classNames.indexOf(critical);
  if (c < 0) throw new Error(`safetyFirst: "${critical}" is not one of ${val.classNames.join(", ")}`);
  const point = chooseOperatingPoint(val.probs, argmaxRows(val.targets), { criticalClass: c, targetRecall, method: "prior", classNames: val.classNames });
  const yTest = argmaxRows(test.targets);
  const K = test.classNames.length;
  const sBefore = confusionStats(yTest, argmaxRows(test.probs), K);
  const sAfter = confusionStats(yTest, applyOperatingPoint(test.probs, point), K);
  return {
    critical,
    targetRecall,
    point,
    testBefore: classificationReport(sBefore, test.classNames),
    testAfter: classificationReport(sAfter, test.classNames),
    testMacroF1Before: f1(sBefore, "macro"),
    testMacroF1After: f1(sAfter, "macro"),
  };
}
