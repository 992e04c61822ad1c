/**
 * Convolutions that read the model input (through weightless layers only) skip computing the
 * gradient of that input in training.
 *
 * WHY: tfjs-layers runs every Conv2D through `tf.fused.conv2d`, whose custom gradient always
 * computes the input gradient too. For the stem that gradient goes nowhere (nothing upstream has
 * weights) and is expensive: dx with 3 output channels, ~9 % of a SimpleCNN step at 224². The
 * plain `tf.conv2d` + bias add has per-input lazy gradients, so autodiff never asks for it.
 * The result is the same; only the training forward changes (inference keeps the fused op).
 */
import * as tf from "@tensorflow/tfjs";

type CallFn = (inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>) => tf.Tensor | tf.Tensor[];

/** The tfjs-layers Conv2D fields used here (tfjs-layers 4.x). */
interface Conv2DInternals {
  kernel: { read(): tf.Tensor };
  bias?: { read(): tf.Tensor } | null;
  strides: [number, number];
  padding: "same" | "valid" | "causal";
  dilationRate: [number, number];
  dataFormat: "channelsLast" | "channelsFirst";
  activation: { apply(x: tf.Tensor): tf.Tensor };
}

interface NodeLike {
  inboundLayers: tf.layers.Layer[];
}

function inboundLayers(layer: tf.layers.Layer): tf.layers.Layer[] {
  const nodes = (layer as unknown as { inboundNodes: NodeLike[] }).inboundNodes ?? [];
  return nodes.flatMap((n) => n.inboundLayers);
}

function unfusedTrainingCall(layer: tf.layers.Layer): void {
  const tagged = layer as tf.layers.Layer & { __steelUnfusedTraining?: boolean };
  if (tagged.__steelUnfusedTraining) return;
  tagged.__steelUnfusedTraining = true;
  const c = layer as unknown as Conv2DInternals;
  const original = (layer.call as unknown as CallFn).bind(layer);
  const call: CallFn = (inputs, kwargs) => {
    if (kwargs?.training !== true || c.dataFormat !== "channelsLast" || c.padding === "causal") return original(inputs, kwargs);
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
      const pad = c.padding as "same" | "valid"; // causal was ruled out above
      let y: tf.Tensor = tf.conv2d(x, c.kernel.read() as tf.Tensor4D, c.strides, pad, "NHWC", c.dilationRate);
      if (c.bias) y = tf.add(y, c.bias.read());
      return c.activation.apply(y);
    });
  };
  (layer as unknown as { call: CallFn }).call = call;
}

/**
 * Finds the Conv2D layers with no weight-bearing layer upstream (stems) and makes them skip the
 * input gradient in training; returns their names. Call once on a freshly built functional model.
 */
export function skipInputGradients(model: tf.LayersModel): string[] {
  const carriesGradient = new Map<string, boolean>();
  const changed: string[] = [];
  // model.layers is in topological order for functional models.
  for (const layer of model.layers) {
    const upstream = inboundLayers(layer).some((l) => carriesGradient.get(l.name) ?? true);
    carriesGradient.set(layer.name, upstream || layer.weights.length > 0);
    if (!upstream && layer.getClassName() === "Conv2D") {
      unfusedTrainingCall(layer);
      changed.push(layer.name);
    }
  }
  return changed;
}
