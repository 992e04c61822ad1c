/**
 * Splitting a functional tf.LayersModel at one layer: `activations(x)` is the sub-model up to the
 * layer, `head(x, A)` re-runs the rest of the graph with that layer's output replaced by `A`.
 * tfjs cannot make a LayersModel whose input is an inner tensor (and a ResNet or U-Net is no
 * chain of layers, so cam.js's "apply the later layers in order" does not fit), hence this tiny
 * graph walker over the SymbolicTensors: every other node is recomputed from `x` (a constant for
 * the gradient), so skip connections around the layer stay correct. Always inference mode.
 */
import * as tf from "@tensorflow/tfjs";

type Sym = tf.SymbolicTensor;

export interface SplitModel {
  readonly layerName: string;
  /** [B, H, W, C] input → the layer's output [B, h, w, k]. */
  activations(x: tf.Tensor4D): tf.Tensor4D;
  /**
   * The model's output computed from `A` at the layer. `logits`: the last layer's softmax or
   * sigmoid is left out (a Dense with that activation, or a separate Activation layer).
   */
  head(x: tf.Tensor4D, A: tf.Tensor4D, opts?: { logits?: boolean }): tf.Tensor;
}

/** The last layer with a 4-D output (the usual CAM layer: the encoder's last block). */
export function defaultCamLayer(model: tf.LayersModel): string {
  const fourD = model.layers.filter((l) => {
    const s = l.outputShape;
    return !Array.isArray(s[0]) && (s as tf.Shape).length === 4 && l.getClassName() !== "InputLayer";
  });
  if (fourD.length === 0) throw new Error(`model ${model.name} has no layer with a 4-D output to explain`);
  return fourD[fourD.length - 1].name;
}

function isOutputActivation(layer: tf.layers.Layer): boolean {
  const act = (layer.getConfig().activation as string | undefined) ?? "";
  return act === "softmax" || act === "sigmoid";
}

/** Applies `layer` without its softmax/sigmoid (Dense) or as the identity (an Activation layer). */
function applyLinear(layer: tf.layers.Layer, x: tf.Tensor): tf.Tensor {
  if (layer.getClassName() === "Activation") return x;
  if (layer.getClassName() !== "Dense") throw new Error(`logits: the output layer ${layer.name} is a ${layer.getClassName()}, not a Dense or Activation`);
  const [kernel, bias] = layer.getWeights();
  const z = tf.matMul(x as tf.Tensor2D, kernel as tf.Tensor2D);
  return bias ? tf.add(z, bias) : z;
}

export function splitAtLayer(model: tf.LayersModel, layerName: string = defaultCamLayer(model)): SplitModel {
  let layer: tf.layers.Layer;
  try {
    layer = model.getLayer(layerName);
  } catch {
    throw new Error(`layer "${layerName}" is not in model ${model.name}; 4-D layers: ${model.layers.filter((l) => (l.outputShape as tf.Shape).length === 4).map((l) => l.name).slice(-8).join(", ")}`);
  }
  if (model.inputs.length !== 1 || model.outputs.length !== 1) throw new Error(`CAM needs a model with one input and one output; ${model.name} has ${model.inputs.length} and ${model.outputs.length}`);
  if (layer.inboundNodes.length !== 1) throw new Error(`layer "${layerName}" is used ${layer.inboundNodes.length} times in the graph; pick a layer called once`);
  const cut = layer.output as Sym;
  if (Array.isArray(cut) || cut.rank !== 4) throw new Error(`layer "${layerName}" has no single 4-D output (shape ${JSON.stringify(layer.outputShape)})`);
  const body = tf.model({ inputs: model.inputs, outputs: cut });
  const input = model.inputs[0];
  const output = model.outputs[0];

  const head = (x: tf.Tensor4D, A: tf.Tensor4D, opts: { logits?: boolean } = {}): tf.Tensor => {
    const memo = new Map<number, tf.Tensor>([[input.id, x], [cut.id, A]]);
    const evaluate = (s: Sym): tf.Tensor => {
      const hit = memo.get(s.id);
      if (hit) return hit;
      const ins = s.inputs.map(evaluate);
      const arg = ins.length === 1 ? ins[0] : ins;
      let out: tf.Tensor | tf.Tensor[];
      if (s === output && opts.logits && isOutputActivation(s.sourceLayer)) out = applyLinear(s.sourceLayer, ins[0]);
      else out = s.sourceLayer.apply(arg, { ...s.callArgs, training: false }) as tf.Tensor | tf.Tensor[];
      const t = Array.isArray(out) ? out[s.outputTensorIndex ?? 0] : out;
      memo.set(s.id, t);
      return t;
    };
    return evaluate(output);
  };
  return {
    layerName,
    activations: (x) => body.apply(x, { training: false }) as tf.Tensor4D,
    head,
  };
}
