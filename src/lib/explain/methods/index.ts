/** CAM methods by name (`createCam("gradcam", model, {layer})`), as the `explain --method` flag names them. */
import * as tf from "@tensorflow/tfjs";
import { BaseCam, CamOptions } from "../base-cam";
import { EigenCam } from "./eigen-cam";
import { GradCam } from "./grad-cam";
import { GradCamPlusPlus } from "./grad-cam-plus-plus";
import { HiResCam } from "./hires-cam";
import { LayerCam } from "./layer-cam";
import { ScoreCam } from "./score-cam";
import { XGradCam } from "./xgrad-cam";

const METHODS = {
  gradcam: GradCam,
  gradcampp: GradCamPlusPlus,
  hirescam: HiResCam,
  xgradcam: XGradCam,
  layercam: LayerCam,
  scorecam: ScoreCam,
  eigencam: EigenCam,
} as const;

export type CamMethod = keyof typeof METHODS;
export const CAM_METHODS = Object.keys(METHODS) as CamMethod[];

export function createCam(method: string, model: tf.LayersModel, opts: CamOptions = {}): BaseCam {
  const Cls = (METHODS as Record<string, new (m: tf.LayersModel, o: CamOptions) => BaseCam>)[method];
  if (!Cls) throw new Error(`unknown CAM method "${method}"; known: ${CAM_METHODS.join(", ")}`);
  return new Cls(model, opts);
}

export { EigenCam, GradCam, GradCamPlusPlus, HiResCam, LayerCam, ScoreCam, XGradCam };
