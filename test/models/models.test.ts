/**
 * Shared suite over every registered model (cpu backend, small inputs, batch 1–2).
 *
 * Independent expectations: parameter counts from published figures (Keras ResNet50 notop
 * 23,587,712 total / 23,534,592 trainable; torchvision resnet18/34 without fc 11,176,512 /
 * 21,284,672) plus hand formulas for heads and decoders; the Keras ResNet50 layer-name list is
 * regenerated here from the Keras source structure (stacks [3, 4, 6, 3], block1 layout).
 *
 * Gradients run in inference mode (BN on moving statistics): in training mode a conv bias that
 * feeds a BatchNorm has an exactly zero gradient (the batch mean cancels it), which would hide
 * real disconnections behind an expected zero. The cpu backend's Conv2DBackpropFilter is a scalar
 * loop costing ~0.15 µs per (filter element x output position), so gradients use the smallest
 * valid input (classifiers 16x16, U-Net 32x32; batch 1), and the U-Net's check uses the resnet18
 * encoder with narrow decoder channels [32, 16, 16, 16, 8] — same code path; resnet34 and the
 * default decoder widths are covered by the forward and parameter-count checks.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { createModel, listModels } from "../../src/lib/models/registry";
import { freezeStages } from "../../src/lib/models/freeze";
import { getModelInfo } from "../../src/lib/models/info";
import type { ModelOptions } from "../../src/lib/models/types";

const SEED = 7;
const CLASSES = 5;

interface Case {
  segmentation: boolean;
  /** Forward/shape checks (64x64 as in the brief). */
  forward: ModelOptions;
  /** Gradient and seed checks (smallest valid input). */
  small: ModelOptions;
}

function caseFor(name: string): Case {
  if (name === "unet") {
    return {
      segmentation: true,
      forward: { inputShape: [64, 64, 3], classes: 4, seed: SEED },
      small: { inputShape: [32, 32, 3], classes: 4, seed: SEED, encoder: "resnet18", decoderChannels: [32, 16, 16, 16, 8] },
    };
  }
  return {
    segmentation: false,
    forward: { inputShape: [64, 64, 3], classes: CLASSES, seed: SEED },
    small: { inputShape: [16, 16, 3], classes: CLASSES, seed: SEED },
  };
}

const conv = (k: number, cin: number, cout: number, bias: boolean) => k * k * cin * cout + (bias ? cout : 0);
const bn = (c: number) => 4 * c;
const denseParams = (cin: number, cout: number) => cin * cout + cout;

/** U-Net decoder + 1x1 head parameters, written out by hand for encoder channels [.., c1..c4]. */
function unetDecoderParams(enc: number[], classes: number): number {
  const dec = [256, 128, 64, 32, 16];
  const inputs = [enc[4] + enc[3], dec[0] + enc[2], dec[1] + enc[1], dec[2] + enc[0], dec[3]];
  let n = 0;
  dec.forEach((out, i) => {
    n += conv(3, inputs[i], out, false) + bn(out) + conv(3, out, out, false) + bn(out);
  });
  return n + conv(1, 16, classes, true);
}

/** BN channels of a basic-block ResNet: stem 64, 2 BNs per block, 1 more per projection. */
function basicBnChannels(blocks: number[]): number {
  const widths = [64, 128, 256, 512];
  let c = 64;
  blocks.forEach((b, s) => {
    c += 2 * b * widths[s];
    if (s > 0) c += widths[s];
  });
  return c;
}

/** Keras ResNet50 (include_top=False) layer names, from keras/applications/resnet.py. */
function kerasResNet50Names(): string[] {
  const names = ["conv1_pad", "conv1_conv", "conv1_bn", "conv1_relu", "pool1_pad", "pool1_pool"];
  [3, 4, 6, 3].forEach((blocks, s) => {
    for (let b = 1; b <= blocks; b++) {
      const p = `conv${s + 2}_block${b}`;
      if (b === 1) names.push(`${p}_0_conv`, `${p}_0_bn`);
      for (const k of [1, 2]) names.push(`${p}_${k}_conv`, `${p}_${k}_bn`, `${p}_${k}_relu`);
      names.push(`${p}_3_conv`, `${p}_3_bn`, `${p}_add`, `${p}_out`);
    }
  });
  return names;
}

/** Expected total/trainable params of each built-in at `classes` outputs (default head). */
function expectedParams(name: string, o: ModelOptions): { total: number; trainable: number } | undefined {
  const c = o.classes;
  switch (name) {
    case "simplecnn": {
      const enc = conv(3, 3, 32, true) + bn(32) + conv(3, 32, 64, true) + bn(64) + conv(3, 64, 128, true) + bn(128);
      const nonTrainable = 2 * (32 + 64 + 128);
      const total = enc + denseParams(128, c);
      return { total, trainable: total - nonTrainable };
    }
    case "neu-net": {
      // Five blocks of two bias-free 3x3 convs, each followed by BN; the default head is GAP → Dense.
      const widths = [16, 32, 64, 128, 256];
      let enc = 0;
      let cin = o.inputShape[2];
      for (const w of widths) {
        enc += conv(3, cin, w, false) + bn(w) + conv(3, w, w, false) + bn(w);
        cin = w;
      }
      const total = enc + denseParams(256, c);
      return { total, trainable: total - 2 * 2 * widths.reduce((a, b) => a + b, 0) };
    }
    case "resnet18": {
      const nt = 2 * basicBnChannels([2, 2, 2, 2]);
      const trainable = 11_176_512 + denseParams(512, c);
      return { total: trainable + nt, trainable };
    }
    case "resnet34": {
      const nt = 2 * basicBnChannels([3, 4, 6, 3]);
      const trainable = 21_284_672 + denseParams(512, c);
      return { total: trainable + nt, trainable };
    }
    case "resnet50":
      return { total: 23_587_712 + denseParams(2048, c), trainable: 23_534_592 + denseParams(2048, c) };
    case "unet": {
      const encoder = o.encoder ?? "resnet34";
      const [blocks, enc] =
        encoder === "resnet18" ? [[2, 2, 2, 2], [64, 64, 128, 256, 512]] : [[3, 4, 6, 3], [64, 64, 128, 256, 512]];
      const encTrainable = encoder === "resnet18" ? 11_176_512 : 21_284_672;
      const dec = unetDecoderParams(enc, c);
      const decNonTrainable = 2 * 2 * (256 + 128 + 64 + 32 + 16);
      const nt = 2 * basicBnChannels(blocks) + decNonTrainable;
      const trainable = encTrainable + dec - decNonTrainable;
      return { total: trainable + nt, trainable };
    }
    default:
      return undefined;
  }
}

const count = (ws: tf.LayerVariable[]) => ws.reduce((a, w) => a + w.shape.reduce<number>((p, d) => p * (d as number), 1), 0);

/** Layer-name prefixes the freeze documentation says stage s covers. */
function documentedFrozen(layerName: string, k: number, encoder: string): boolean {
  if (k === 0) return false;
  if (encoder === "simplecnn" || encoder === "neu-net") {
    const m = /^block(\d)_/.exec(layerName);
    return !!m && Number(m[1]) <= k;
  }
  if (/^(conv1|pool1)_/.test(layerName)) return true;
  const m = /^conv(\d)_/.exec(layerName);
  return !!m && Number(m[1]) - 1 <= k;
}

before(async () => {
  await tf.setBackend("cpu");
});

test("the built-in models are registered", () => {
  for (const n of ["simplecnn", "resnet18", "resnet34", "resnet50", "unet"]) assert.ok(listModels().includes(n), n);
});

for (const name of listModels()) {
  const c = caseFor(name);
  describe(`model ${name}`, () => {
    let model: tf.LayersModel;
    before(() => {
      model = createModel(name, c.forward);
    });
    after(() => model.dispose());

    test("output shape, class count and probabilities (64x64)", () => {
      const [h, w, ch] = c.forward.inputShape;
      // Batch 2 where it is cheap (rows must not influence each other), else 1.
      const batch = name === "simplecnn" || name === "resnet18" ? 2 : 1;
      const before0 = tf.memory().numTensors;
      const y = tf.tidy(() => {
        const x = tf.randomUniform([batch, h, w, ch], 0, 1, "float32", 11);
        return model.predict(x) as tf.Tensor;
      });
      const expected = c.segmentation ? [batch, h, w, c.forward.classes] : [batch, c.forward.classes];
      assert.deepEqual(y.shape, expected);
      const v = y.dataSync();
      for (const p of v) assert.ok(Number.isFinite(p) && p > 0 && p < 1, `probability ${p} outside (0, 1)`);
      if (!c.segmentation) {
        for (let b = 0; b < batch; b++) {
          let s = 0;
          for (let k = 0; k < c.forward.classes; k++) s += v[b * c.forward.classes + k];
          assert.ok(Math.abs(s - 1) < 1e-5, `softmax row ${b} sums to ${s}`);
        }
      }
      y.dispose();
      assert.equal(tf.memory().numTensors, before0, "predict leaked tensors");
    });

    test("parameter counts match the published / hand-computed figures", (t) => {
      const exp = expectedParams(name, c.forward);
      if (!exp) return t.skip("no independent figure for this model");
      assert.equal(model.countParams(), exp.total, "total params");
      assert.equal(count(model.trainableWeights), exp.trainable, "trainable params");
    });

    test("declared outChannels match the stage feature maps; reductions halve", () => {
      const info = getModelInfo(model);
      assert.ok(info);
      assert.equal(info.featureLayers.length, info.outChannels.length);
      const h = c.forward.inputShape[0];
      info.featureLayers.forEach((layerName, i) => {
        const shape = model.getLayer(layerName).outputShape as number[];
        assert.equal(shape[3], info.outChannels[i], `${layerName} channels`);
        // ResNet: stem at H/2, then each stage halves; simplecnn: each pooled block halves.
        // neu-net: no pooling after its fifth block (it stays at H/16).
        const reduction = info.encoder === "neu-net" ? 2 ** Math.min(i + 1, 4) : 2 ** (i + 1);
        assert.equal(shape[1], h / reduction, `${layerName} height`);
      });
    });

    test("freezing changes the trainable variables as documented", () => {
      const info = getModelInfo(model);
      assert.ok(info, "createModel records model info");
      const perLayer = new Map(model.layers.map((l) => [l.name, l.trainableWeights.length]));
      const all = model.trainableWeights.length;
      let previous = all + 1;
      for (let k = 0; k <= info.maxFreeze; k++) {
        const r = freezeStages(model, k);
        let expected = 0;
        const expectedFrozen: string[] = [];
        for (const l of model.layers) {
          const frozen = documentedFrozen(l.name, k, info.encoder);
          if (frozen) expectedFrozen.push(l.name);
          else expected += perLayer.get(l.name) ?? 0;
        }
        assert.deepEqual(r.frozenLayers, expectedFrozen, `frozen layers at k=${k}`);
        assert.equal(model.trainableWeights.length, expected, `trainable variables at k=${k}`);
        assert.equal(r.trainableVariables, expected);
        assert.ok(expected < previous, `k=${k} must freeze more than k=${k - 1}`);
        previous = expected;
      }
      // Fully frozen encoder: only the head (GAP → Dense) or the decoder trains.
      const o = c.forward;
      const headOnly = c.segmentation
        ? unetDecoderParams(info.outChannels, o.classes) - 2 * 2 * (256 + 128 + 64 + 32 + 16)
        : denseParams(info.outChannels[info.outChannels.length - 1], o.classes);
      assert.equal(count(model.trainableWeights), headOnly, "trainable params with the whole encoder frozen");
      assert.throws(() => freezeStages(model, info.maxFreeze + 1), /freeze must be an integer in 0\.\./);
      freezeStages(model, 0);
      assert.equal(model.trainableWeights.length, all, "k=0 unfreezes everything again");
    });

    describe("seeded weights and gradients (smallest input, batch 1)", () => {
      let a: tf.LayersModel;
      before(() => {
        a = createModel(name, c.small);
      });
      after(() => a.dispose());

      test("same seed → identical weights; different seed → different kernels", () => {
        const b = createModel(name, c.small);
        const d = createModel(name, { ...c.small, seed: SEED + 1 });
        try {
          const wa = a.weights;
          const wb = b.weights;
          const wd = d.weights;
          assert.equal(wa.length, wb.length);
          let kernels = 0;
          for (let i = 0; i < wa.length; i++) {
            const va = wa[i].read().dataSync();
            assert.deepEqual(wb[i].read().dataSync(), va, `${wa[i].originalName} differs for the same seed`);
            if (/kernel$/.test(wa[i].originalName)) {
              kernels++;
              assert.notDeepEqual(wd[i].read().dataSync(), va, `${wa[i].originalName} identical for a different seed`);
            }
          }
          assert.ok(kernels > 0);
        } finally {
          b.dispose();
          d.dispose();
        }
      });

      test("gradients reach every trainable variable", () => {
        const vars = a.trainableWeights.map((w) => w.read() as tf.Variable);
        const [h, w, ch] = c.small.inputShape;
        const before0 = tf.memory().numTensors;
        const norms = tf.tidy(() => {
          const x = tf.randomUniform([1, h, w, ch], 0, 1, "float32", 5);
          const { grads } = tf.variableGrads(() => {
            const y = a.apply(x, { training: false }) as tf.Tensor;
            if (c.segmentation) {
              const target = tf.cast(tf.greater(tf.randomUniform(y.shape, 0, 1, "float32", 6), 0.5), "float32");
              const bce = tf.add(tf.mul(target, tf.log(y)), tf.mul(tf.sub(1, target), tf.log(tf.sub(1, y))));
              return tf.neg(tf.mean(bce)) as tf.Scalar;
            }
            const target = tf.oneHot([1], c.small.classes).toFloat();
            return tf.neg(tf.mean(tf.sum(tf.mul(target, tf.log(y)), -1))) as tf.Scalar;
          }, vars);
          return vars.map((v) => tf.norm(grads[v.name]));
        });
        const values = norms.map((n) => n.dataSync()[0]);
        tf.dispose(norms);
        assert.equal(tf.memory().numTensors, before0, "gradient computation leaked tensors");
        values.forEach((n, i) => {
          assert.ok(Number.isFinite(n) && n > 0, `gradient of ${a.trainableWeights[i].originalName} has norm ${n}`);
        });
      });
    });
  });
}

describe("ResNet layer names (Keras naming)", () => {
  test("resnet50 encoder has exactly the Keras ResNet50 notop layers", () => {
    const m = createModel("resnet50", { inputShape: [32, 32, 3], classes: 2, seed: 1 });
    try {
      const encoderNames = m.layers.map((l) => l.name).filter((n) => n !== "input_1" && !n.startsWith("head_"));
      const keras = kerasResNet50Names();
      assert.equal(keras.length + 1, 175, "Keras ResNet50(include_top=False) has 175 layers incl. the input");
      assert.equal(encoderNames.length, keras.length);
      assert.deepEqual([...encoderNames].sort(), [...keras].sort());
      const bnEps = m.layers.filter((l) => l.getClassName() === "BatchNormalization").map((l) => (l.getConfig() as { epsilon: number }).epsilon);
      assert.equal(bnEps.length, 53);
      for (const e of bnEps) assert.equal(e, 1.001e-5);
      assert.deepEqual(getModelInfo(m)?.outChannels, [64, 256, 512, 1024, 2048]);
      assert.deepEqual(getModelInfo(m)?.featureLayers, ["conv1_relu", "conv2_block3_out", "conv3_block4_out", "conv4_block6_out", "conv5_block3_out"]);
    } finally {
      m.dispose();
    }
  });

  test("resnet18/34 follow the same scheme with basic blocks", () => {
    for (const [name, blocks] of [["resnet18", [2, 2, 2, 2]], ["resnet34", [3, 4, 6, 3]]] as const) {
      const m = createModel(name, { inputShape: [32, 32, 3], classes: 2, seed: 1 });
      try {
        const expected = ["conv1_pad", "conv1_conv", "conv1_bn", "conv1_relu", "pool1_pad", "pool1_pool"];
        blocks.forEach((n, s) => {
          for (let b = 1; b <= n; b++) {
            const p = `conv${s + 2}_block${b}`;
            if (b === 1 && s > 0) expected.push(`${p}_0_conv`, `${p}_0_bn`);
            expected.push(`${p}_1_conv`, `${p}_1_bn`, `${p}_1_relu`, `${p}_2_conv`, `${p}_2_bn`, `${p}_add`, `${p}_out`);
          }
        });
        const got = m.layers.map((l) => l.name).filter((n) => n !== "input_1" && !n.startsWith("head_"));
        assert.deepEqual([...got].sort(), [...expected].sort(), name);
        assert.deepEqual(getModelInfo(m)?.outChannels, [64, 64, 128, 256, 512]);
        const last = blocks.map((n, s) => `conv${s + 2}_block${n}_out`);
        assert.deepEqual(getModelInfo(m)?.featureLayers, ["conv1_relu", ...last]);
      } finally {
        m.dispose();
      }
    }
  });
});

test("zeroInitResidual starts every residual block as the identity (γ = 0 on the branch's last BN only)", async () => {
  await tf.setBackend("cpu");
  for (const [name, closing, blocks] of [["resnet50", /^conv\d_block\d+_3_bn$/, 16], ["resnet18", /^conv\d_block\d+_2_bn$/, 8]] as const) {
    const opts: ModelOptions = { inputShape: [32, 32, 3], classes: CLASSES, seed: SEED };
    const zero = createModel(name, { ...opts, zeroInitResidual: true });
    const plain = createModel(name, opts);
    const gammas = (m: tf.LayersModel) =>
      m.layers.filter((l) => l.getClassName() === "BatchNormalization").map((l) => ({ name: l.name, gamma: (l.getWeights()[0].dataSync() as Float32Array) }));
    const z = gammas(zero);
    const closingLayers = z.filter((g) => closing.test(g.name));
    assert.equal(closingLayers.length, blocks, `${name}: residual branches`);
    for (const g of z) {
      const expected = closing.test(g.name) ? 0 : 1;
      assert.ok(g.gamma.every((v) => v === expected), `${name} ${g.name}: γ should be ${expected}`);
    }
    assert.ok(gammas(plain).every((g) => g.gamma.every((v) => v === 1)), `${name}: default γ = 1 everywhere`);
    // Identity blocks: a block without projection then outputs relu(its input) = its input (post-ReLU).
    const probe = tf.tidy(() => {
      const sub = tf.model({ inputs: zero.inputs, outputs: [zero.getLayer("conv2_block1_out").output as tf.SymbolicTensor, zero.getLayer("conv2_block2_out").output as tf.SymbolicTensor] });
      const [a, b] = sub.predict(tf.randomNormal([1, 32, 32, 3], 0, 1, "float32", 3)) as tf.Tensor[];
      return tf.max(tf.abs(tf.sub(a, b))).dataSync()[0];
    });
    assert.equal(probe, 0, `${name}: conv2_block2 should pass its input through`);
    zero.dispose();
    plain.dispose();
  }
});
