/**
 * Losses by name, for configs and notebooks: createLoss("cross-entropy", {classWeights}).
 * Options a loss does not use are rejected, so a typo or a misplaced option is loud.
 */
import { bceLoss } from "./bce";
import { crossEntropyLoss } from "./cross-entropy";
import { bceDiceLoss, diceLoss } from "./dice";
import { binaryFocalLoss, focalLoss } from "./focal";
import { lovaszHingeLoss } from "./lovasz";
import { LossFn } from "./types";

export type LossName = "cross-entropy" | "bce" | "focal" | "binary-focal" | "dice" | "bce-dice" | "lovasz-hinge";

export interface LossOptions {
  fromLogits?: boolean;
  /** cross-entropy: per-class weights w_c. */
  classWeights?: readonly number[];
  /** cross-entropy. */
  labelSmoothing?: number;
  /** bce, bce-dice: per-class positive weight. */
  posWeight?: readonly number[];
  /** focal, binary-focal. */
  gamma?: number;
  /** focal: per class or one value; binary-focal: one value in [0, 1] or null. */
  alpha?: number | readonly number[] | null;
  /** dice, bce-dice. */
  smooth?: number;
  /** bce-dice. */
  bceWeight?: number;
  diceWeight?: number;
  /** probability clip. */
  epsilon?: number;
}

const ALLOWED: Record<LossName, (keyof LossOptions)[]> = {
  "cross-entropy": ["fromLogits", "classWeights", "labelSmoothing", "epsilon"],
  bce: ["fromLogits", "posWeight", "epsilon"],
  focal: ["fromLogits", "gamma", "alpha", "epsilon"],
  "binary-focal": ["fromLogits", "gamma", "alpha"],
  dice: ["fromLogits", "smooth"],
  "bce-dice": ["fromLogits", "smooth", "bceWeight", "diceWeight", "posWeight"],
  /** Always on logits: fromLogits is accepted only as true. */
  "lovasz-hinge": ["fromLogits"],
};

const ALIASES: Record<string, LossName> = {
  ce: "cross-entropy",
  crossentropy: "cross-entropy",
  categorical_crossentropy: "cross-entropy",
  binary_crossentropy: "bce",
  bce_dice: "bce-dice",
  binary_focal: "binary-focal",
  lovasz: "lovasz-hinge",
  lovasz_hinge: "lovasz-hinge",
};

export const LOSS_NAMES = Object.keys(ALLOWED) as LossName[];

export function createLoss(name: LossName | string, options: LossOptions = {}): LossFn {
  const key = (ALIASES[name] ?? name) as LossName;
  const allowed = ALLOWED[key];
  if (!allowed) throw new Error(`unknown loss "${name}"; use one of ${LOSS_NAMES.join(", ")}`);
  for (const k of Object.keys(options) as (keyof LossOptions)[]) {
    if (options[k] !== undefined && !allowed.includes(k)) {
      throw new Error(`loss "${key}" does not take option "${k}"; it takes ${allowed.join(", ")}`);
    }
  }
  const o = options;
  switch (key) {
    case "cross-entropy":
      return crossEntropyLoss({ fromLogits: o.fromLogits, classWeights: o.classWeights, labelSmoothing: o.labelSmoothing, epsilon: o.epsilon });
    case "bce":
      return bceLoss({ fromLogits: o.fromLogits, posWeight: o.posWeight, epsilon: o.epsilon });
    case "focal":
      if (o.alpha === null) throw new Error(`loss "focal": alpha must be a number or per-class array (null is for binary-focal)`);
      return focalLoss({ fromLogits: o.fromLogits, gamma: o.gamma, alpha: o.alpha, epsilon: o.epsilon });
    case "binary-focal":
      if (Array.isArray(o.alpha)) throw new Error(`loss "binary-focal": alpha is one number in [0, 1] or null`);
      return binaryFocalLoss({ fromLogits: o.fromLogits, gamma: o.gamma, alpha: o.alpha as number | null | undefined });
    case "dice":
      return diceLoss({ fromLogits: o.fromLogits, smooth: o.smooth });
    case "bce-dice":
      return bceDiceLoss({ fromLogits: o.fromLogits, smooth: o.smooth, bceWeight: o.bceWeight, diceWeight: o.diceWeight, posWeight: o.posWeight });
    case "lovasz-hinge":
      if (o.fromLogits === false) throw new Error(`loss "lovasz-hinge" works on logits only; build the U-Net with activation "linear"`);
      return lovaszHingeLoss();
  }
}
