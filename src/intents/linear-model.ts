/**
 * Multinomial logistic regression (softmax) over sparse string features, trained with
 * Adagrad SGD in a seeded order, so the same data always gives the same model. Shared by
 * the intent classifier and the department router. No Node APIs: runs on Workers too.
 */

/** Feature name -> value (counts, tf-idf or indicator weights). */
export type FeatureMap = Map<string, number>;

export interface TrainingExample {
  features: FeatureMap;
  label: string;
  /** Relative weight of this example in the loss (default 1). */
  weight?: number;
}

export interface TrainOptions {
  epochs?: number;
  /** Adagrad base learning rate. */
  learningRate?: number;
  /** L2 penalty per update on the touched weights. */
  l2?: number;
  /** Seed for the example order. */
  seed?: number;
  /** Keep only features seen in at least this many training examples. */
  minCount?: number;
}

/** A trained model; plain data so it can be serialised (see {@link serializeModel}). */
export interface SoftmaxModel {
  labels: string[];
  features: string[];
  /** Row-major `features.length x labels.length`. */
  weights: Float32Array;
  bias: Float32Array;
}

export interface Prediction {
  /** Labels with probabilities, best first. */
  ranked: Array<{ label: string; p: number }>;
}

/** Deterministic PRNG (mulberry32). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Indexed {
  idx: Int32Array;
  val: Float32Array;
  y: number;
  w: number;
}

function softmaxInPlace(z: Float64Array): void {
  let max = -Infinity;
  for (const v of z) if (v > max) max = v;
  let sum = 0;
  for (let i = 0; i < z.length; i++) {
    z[i] = Math.exp(z[i]! - max);
    sum += z[i]!;
  }
  for (let i = 0; i < z.length; i++) z[i]! /= sum;
}

/** Examples turned into index arrays once, so several seeded runs can share the work. */
interface Prepared {
  labels: string[];
  features: string[];
  data: Indexed[];
}

function prepare(examples: TrainingExample[], minCount: number): Prepared {
  if (examples.length === 0) throw new Error('trainSoftmax: no training examples');
  const labels = [...new Set(examples.map((e) => e.label))].sort();
  const labelIndex = new Map(labels.map((l, i) => [l, i]));

  const counts = new Map<string, number>();
  for (const e of examples) for (const f of e.features.keys()) counts.set(f, (counts.get(f) ?? 0) + 1);
  const features = [...counts.entries()].filter(([, c]) => c >= minCount).map(([f]) => f).sort();
  const featureIndex = new Map(features.map((f, i) => [f, i]));

  const data: Indexed[] = examples.map((e) => {
    const idx: number[] = [];
    const val: number[] = [];
    for (const [f, v] of e.features) {
      const i = featureIndex.get(f);
      if (i !== undefined && v !== 0) {
        idx.push(i);
        val.push(v);
      }
    }
    return { idx: Int32Array.from(idx), val: Float32Array.from(val), y: labelIndex.get(e.label)!, w: e.weight ?? 1 };
  });
  return { labels, features, data };
}

/** Adagrad SGD over prepared examples in a seeded order. */
function fit({ labels, features, data }: Prepared, opts: TrainOptions): SoftmaxModel {
  const { epochs = 20, learningRate = 0.5, l2 = 1e-5, seed = 42 } = opts;
  const K = labels.length;
  const W = new Float32Array(features.length * K);
  const G = new Float32Array(features.length * K).fill(1e-8);
  const b = new Float32Array(K);
  const Gb = new Float32Array(K).fill(1e-8);
  const z = new Float64Array(K);
  const rand = seededRandom(seed);
  const order = data.map((_, i) => i);

  for (let epoch = 0; epoch < epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (const n of order) {
      const ex = data[n]!;
      for (let k = 0; k < K; k++) z[k] = b[k]!;
      for (let t = 0; t < ex.idx.length; t++) {
        const row = ex.idx[t]! * K;
        const v = ex.val[t]!;
        for (let k = 0; k < K; k++) z[k]! += W[row + k]! * v;
      }
      softmaxInPlace(z);
      for (let k = 0; k < K; k++) {
        const g = ex.w * (z[k]! - (k === ex.y ? 1 : 0));
        Gb[k]! += g * g;
        b[k]! -= (learningRate * g) / Math.sqrt(Gb[k]!);
        if (g === 0) continue;
        for (let t = 0; t < ex.idx.length; t++) {
          const p = ex.idx[t]! * K + k;
          const gw = g * ex.val[t]! + l2 * W[p]!;
          G[p]! += gw * gw;
          W[p]! -= (learningRate * gw) / Math.sqrt(G[p]!);
        }
      }
    }
  }
  return { labels, features, weights: W, bias: b };
}

/**
 * Train a softmax classifier. Labels are sorted so the result does not depend on input order
 * apart from the seeded shuffle.
 */
export function trainSoftmax(examples: TrainingExample[], opts: TrainOptions = {}): SoftmaxModel {
  return fit(prepare(examples, opts.minCount ?? 1), opts);
}

/**
 * Train `runs` softmax models that differ only in the seed of the example order (seed,
 * seed + 1, …) and average their weights: all share the same features, so the average is again
 * one linear model and classifies exactly as fast. On small data SGD lands in noticeably
 * different places depending on the order; the average is steadier than any single run.
 */
export function trainSoftmaxAveraged(examples: TrainingExample[], opts: TrainOptions = {}, runs = 5): SoftmaxModel {
  const prepared = prepare(examples, opts.minCount ?? 1);
  const seed = opts.seed ?? 42;
  const weights = new Float32Array(prepared.features.length * prepared.labels.length);
  const bias = new Float32Array(prepared.labels.length);
  for (let r = 0; r < runs; r++) {
    const m = fit(prepared, { ...opts, seed: seed + r });
    for (let i = 0; i < weights.length; i++) weights[i]! += m.weights[i]! / runs;
    for (let k = 0; k < bias.length; k++) bias[k]! += m.bias[k]! / runs;
  }
  return { labels: prepared.labels, features: prepared.features, weights, bias };
}

/** Lookup tables for fast prediction; build once per model. */
export interface CompiledModel {
  model: SoftmaxModel;
  featureIndex: Map<string, number>;
}

export function compileModel(model: SoftmaxModel): CompiledModel {
  return { model, featureIndex: new Map(model.features.map((f, i) => [f, i])) };
}

/** Class probabilities for one feature map, best first. */
export function predict(compiled: CompiledModel, features: FeatureMap): Prediction {
  const { model, featureIndex } = compiled;
  const K = model.labels.length;
  const z = new Float64Array(K);
  for (let k = 0; k < K; k++) z[k] = model.bias[k]!;
  for (const [f, v] of features) {
    const i = featureIndex.get(f);
    if (i === undefined) continue;
    const row = i * K;
    for (let k = 0; k < K; k++) z[k]! += model.weights[row + k]! * v;
  }
  softmaxInPlace(z);
  const ranked = model.labels.map((label, k) => ({ label, p: z[k]! }));
  ranked.sort((a, c) => c.p - a.p || (a.label < c.label ? -1 : 1));
  return { ranked };
}

/** Drop features whose weights are all tiny, to keep a persisted model small. */
export function pruneModel(model: SoftmaxModel, threshold = 1e-3): SoftmaxModel {
  const K = model.labels.length;
  const keep: number[] = [];
  for (let i = 0; i < model.features.length; i++) {
    let max = 0;
    for (let k = 0; k < K; k++) max = Math.max(max, Math.abs(model.weights[i * K + k]!));
    if (max >= threshold) keep.push(i);
  }
  const weights = new Float32Array(keep.length * K);
  keep.forEach((i, n) => weights.set(model.weights.subarray(i * K, i * K + K), n * K));
  return { labels: model.labels, features: keep.map((i) => model.features[i]!), weights, bias: model.bias };
}

function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function fromBase64(b64: string): Uint8Array {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

export interface SerializedModel {
  labels: string[];
  features: string[];
  /** Little-endian float32, base64. */
  weights: string;
  bias: number[];
}

export function serializeModel(model: SoftmaxModel): SerializedModel {
  return {
    labels: model.labels,
    features: model.features,
    weights: toBase64(new Uint8Array(model.weights.buffer, model.weights.byteOffset, model.weights.byteLength)),
    bias: [...model.bias],
  };
}

export function deserializeModel(s: SerializedModel): SoftmaxModel {
  const bytes = fromBase64(s.weights);
  const weights = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  if (weights.length !== s.features.length * s.labels.length) throw new Error('model weights do not match its features and labels');
  return { labels: s.labels, features: s.features, weights, bias: Float32Array.from(s.bias) };
}
