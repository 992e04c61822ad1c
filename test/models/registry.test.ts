/**
 * Registry, option validation, heads, U-Net specifics, summary and tensor hygiene.
 * Small inputs only (cpu backend).
 */
import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { createModel, listModels, registerModel } from "../../src/lib/models/registry";
import { freezeStages } from "../../src/lib/models/freeze";
import { formatSummary, summarizeModel } from "../../src/lib/models/summary";
import { unetBlockInChannels } from "../../src/lib/models/decoders/unet";
import { encoderOutChannels } from "../../src/lib/models/encoders/encoders";
import type { ModelOptions } from "../../src/lib/models/types";

before(async () => {
  await tf.setBackend("cpu");
});

const small: ModelOptions = { inputShape: [16, 16, 3], classes: 3, seed: 1 };

describe("registry", () => {
  test("unknown name → error listing the known models", () => {
    assert.throws(
      () => createModel("resnet99", small),
      (err: Error) => /unknown model "resnet99"/.test(err.message) && listModels().every((n) => err.message.includes(n)),
    );
  });

  test("registerModel adds a factory, refuses duplicates unless override", () => {
    const factory = (o: ModelOptions) => {
      const input = tf.input({ shape: o.inputShape });
      const y = tf.layers.dense({ units: o.classes, activation: "softmax" }).apply(tf.layers.flatten().apply(input)) as tf.SymbolicTensor;
      return tf.model({ inputs: input, outputs: y });
    };
    registerModel("tiny-test", factory);
    assert.ok(listModels().includes("tiny-test"));
    const m = createModel("tiny-test", small);
    assert.deepEqual(m.outputs[0].shape, [null, 3]);
    m.dispose();
    assert.throws(() => registerModel("tiny-test", factory), /already registered/);
    registerModel("tiny-test", factory, { override: true });
    assert.throws(() => registerModel("bad name!", factory), /alphanumeric/);
  });

  test("options are validated with errors naming the model and field", () => {
    assert.throws(() => createModel("resnet18", { ...small, inputShape: [16, 16] as unknown as [number, number, number] }), /resnet18: inputShape must be \[height, width, channels\]/);
    assert.throws(() => createModel("simplecnn", { ...small, classes: 0 }), /simplecnn: classes must be a positive integer/);
    assert.throws(() => createModel("simplecnn", { ...small, seed: undefined as unknown as number }), /seed must be an integer/);
    assert.throws(() => createModel("resnet50", { ...small, inputShape: [8, 8, 3] }), /resnet50: input 8x8 is too small/);
    assert.throws(() => createModel("resnet18", { ...small, encoder: "resnet50" }), /only for "unet"/);
    assert.throws(() => createModel("simplecnn", { ...small, freeze: 4 }), /freeze must be an integer in 0\.\.3/);
    assert.throws(() => createModel("simplecnn", { ...small, head: { dropout: 1 } }), /head\.dropout must be in \[0, 1\)/);
  });
});

describe("classification head", () => {
  test("hidden Dense + ReLU + Dropout, parameter count by formula", () => {
    const m = createModel("simplecnn", { ...small, classes: 4, head: { hidden: 8, dropout: 0.5 } });
    const names = m.layers.map((l) => l.name).filter((n) => n.startsWith("head_"));
    assert.deepEqual(names, ["head_gap", "head_dense", "head_relu", "head_dropout", "head_predictions"]);
    const head = ["head_dense", "head_predictions"].reduce((a, n) => a + m.getLayer(n).countParams(), 0);
    assert.equal(head, 128 * 8 + 8 + 8 * 4 + 4);
    m.dispose();
  });

  test("multiLabel → independent sigmoids in (0, 1)", () => {
    const m = createModel("resnet18", { ...small, classes: 4, multiLabel: true });
    assert.equal((m.getLayer("head_predictions").getConfig() as { activation: string }).activation, "sigmoid");
    const y = tf.tidy(() => (m.predict(tf.randomUniform([2, 16, 16, 3], 0, 1, "float32", 2)) as tf.Tensor).dataSync());
    for (const p of y) assert.ok(p > 0 && p < 1);
    m.dispose();
  });

  test("seeded dropout: a new mask every training call, the same sequence for the same seed", () => {
    const o: ModelOptions = { ...small, head: { hidden: 16, dropout: 0.5 } };
    const x = tf.randomUniform([1, 16, 16, 3], 0, 1, "float32", 9);
    const run = () => {
      const m = createModel("simplecnn", o);
      const outs = [0, 1].map(() => tf.tidy(() => Array.from((m.apply(x, { training: true }) as tf.Tensor).dataSync())));
      const inf = [0, 1].map(() => tf.tidy(() => Array.from((m.predict(x) as tf.Tensor).dataSync())));
      m.dispose();
      return { outs, inf };
    };
    const a = run();
    const b = run();
    assert.notDeepEqual(a.outs[0], a.outs[1], "consecutive training calls use different masks");
    assert.deepEqual(b.outs, a.outs, "same seed → same mask sequence");
    assert.deepEqual(a.inf[0], a.inf[1], "inference is deterministic");
    x.dispose();
  });
});

describe("unet", () => {
  test("input not a multiple of 32 → error that says to pad or crop", () => {
    assert.throws(() => createModel("unet", { inputShape: [250, 1600, 1], classes: 4, seed: 1 }), /H and W must be multiples of 32 .*: got 250×1600; pad to 256×1600 or crop to 224×1600/);
    assert.throws(() => createModel("unet", { inputShape: [100, 64, 3], classes: 4, seed: 1 }), /got 100×64; pad to 128×64 or crop to 96×64/);
    assert.throws(() => createModel("unet", { inputShape: [20, 64, 3], classes: 4, seed: 1 }), /got 20×64; pad to 32×64$/);
  });

  test("encoder must be a five-stage ResNet", () => {
    assert.throws(() => createModel("unet", { inputShape: [32, 32, 3], classes: 4, seed: 1, encoder: "simplecnn" }), /encoder must be one of resnet18, resnet34, resnet50/);
    assert.throws(() => createModel("unet", { inputShape: [32, 32, 3], classes: 4, seed: 1, encoder: "vgg" }), /encoder must be one of/);
  });

  test("decoder input channels follow the encoder's outChannels", () => {
    assert.deepEqual(unetBlockInChannels(encoderOutChannels("resnet34"), [256, 128, 64, 32, 16]), [512 + 256, 256 + 128, 128 + 64, 64 + 64, 32]);
    assert.deepEqual(unetBlockInChannels(encoderOutChannels("resnet50"), [256, 128, 64, 32, 16]), [2048 + 1024, 256 + 512, 128 + 256, 64 + 64, 32]);
    const m = createModel("unet", { inputShape: [32, 32, 3], classes: 2, seed: 1, encoder: "resnet50", decoderChannels: [16, 16, 16, 16, 8] });
    const k = m.getLayer("decoder_block1_conv1").getWeights()[0];
    assert.deepEqual(k.shape, [3, 3, 2048 + 1024, 16]);
    m.dispose();
  });

  test("linear activation gives logits; encoder resnet18 output shape", () => {
    const m = createModel("unet", { inputShape: [32, 64, 1], classes: 3, seed: 2, encoder: "resnet18", activation: "linear", decoderChannels: [16, 16, 16, 16, 8] });
    const y = tf.tidy(() => m.predict(tf.randomUniform([1, 32, 64, 1], 0, 1, "float32", 3)) as tf.Tensor);
    assert.deepEqual(y.shape, [1, 32, 64, 3]);
    const v = y.dataSync();
    assert.ok(v.some((p) => p < 0 || p > 1), "logits are not squashed");
    y.dispose();
    m.dispose();
  });
});

describe("summary and tensor hygiene", () => {
  test("summary totals match tfjs counts; groups add up; frozen groups flagged", () => {
    const m = createModel("resnet18", small);
    freezeStages(m, 2);
    const s = summarizeModel(m);
    assert.equal(s.totalParams, m.countParams());
    assert.equal(s.groups.reduce((a, g) => a + g.params, 0), s.totalParams);
    assert.equal(s.groups.reduce((a, g) => a + g.trainableParams, 0), s.trainableParams);
    assert.deepEqual(s.groups.filter((g) => g.frozen).map((g) => g.label), ["stem (conv1, pool1)", "conv2", "conv3"]);
    const head = s.groups.find((g) => g.label === "head");
    assert.equal(head?.params, 512 * 3 + 3);
    const text = formatSummary(s);
    assert.match(text, /resnet18: \[b, 16, 16, 3\] → \[b, 3\]/);
    assert.match(text, new RegExp(`total ${s.totalParams.toLocaleString("en-US")} params`));
    m.dispose();
  });

  test("building, predicting and disposing leaves no tensors behind", () => {
    const start = tf.memory().numTensors;
    for (const name of ["simplecnn", "resnet18"]) {
      const m = createModel(name, { ...small, head: { hidden: 4, dropout: 0.2 } });
      for (let i = 0; i < 3; i++) {
        tf.tidy(() => {
          const x = tf.randomUniform([1, 16, 16, 3], 0, 1, "float32", i);
          m.predict(x);
          m.apply(x, { training: true });
        });
      }
      m.dispose();
    }
    assert.equal(tf.memory().numTensors, start);
  });
});
