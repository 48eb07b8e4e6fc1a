/**
 * NBSVM-style classifier (Wang & Manning 2012, "Baselines and bigrams"), one-vs-rest with
 * logistic regression: for each class, every gram is scaled by the naive-Bayes log-count ratio
 * of that class against the rest before a linear model is fitted, so grams that NB finds
 * telling start out loud and the linear model only has to correct them. Deterministic (seeded
 * example order), no Node APIs: runs on Workers too.
 */
import { seededRandom } from '../intents/linear-model.js';

/** Gram -> count in one text. */
export type GramCounts = Map<string, number>;

export interface NbsvmExample {
  counts: GramCounts;
  label: string;
  /** Relative weight in the NB counts and in the loss (default 1). */
  weight?: number;
}

export interface NbsvmOptions {
  /** NB smoothing added to every gram's (weighted) document count. */
  alpha?: number;
  /** L2 penalty per update on the touched weights. */
  l2?: number;
  epochs?: number;
  /** Adagrad base learning rate. */
  learningRate?: number;
  /** Keep only grams seen in at least this many training examples. */
  minCount?: number;
  /** Seed of the example order; class k uses seed + k. */
  seed?: number;
}

/**
 * A `rows x columns` matrix as 16-bit integers with one step per row (value = integer x step),
 * little-endian, base64: half the size of float32, with an error under 1/65,000 of each row's
 * largest value.
 */
export interface QuantizedRows {
  step: number[];
  values: string;
}

/** A trained model as plain data (JSON-safe). */
export interface NbsvmModel {
  labels: string[];
  features: string[];
  /** Per class and feature: NB log-count ratio times idf, `labels x features`. */
  scale: QuantizedRows;
  /** Per class and feature: linear weight, `labels x features`. */
  weights: QuantizedRows;
  bias: number[];
}

/** A model with its arrays decoded and a feature index; build once per model. */
export interface CompiledNbsvm {
  labels: string[];
  featureIndex: Map<string, number>;
  scale: Float32Array;
  weights: Float32Array;
  bias: Float64Array;
}

export function quantizeRows(a: Float32Array, rows: number): QuantizedRows {
  const cols = a.length / rows;
  const q = new DataView(new ArrayBuffer(a.length * 2));
  const step: number[] = [];
  for (let r = 0; r < rows; r++) {
    let max = 0;
    for (let c = 0; c < cols; c++) max = Math.max(max, Math.abs(a[r * cols + c]!));
    const st = max / 32767 || 1;
    step.push(st);
    for (let c = 0; c < cols; c++) q.setInt16((r * cols + c) * 2, Math.round(a[r * cols + c]! / st), true);
  }
  const bytes = new Uint8Array(q.buffer);
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return { step, values: btoa(s) };
}

export function dequantizeRows({ step, values }: QuantizedRows): Float32Array {
  const s = atob(values);
  const view = new DataView(new ArrayBuffer(s.length));
  for (let i = 0; i < s.length; i++) view.setUint8(i, s.charCodeAt(i));
  const out = new Float32Array(s.length / 2);
  const cols = out.length / step.length;
  for (let i = 0; i < out.length; i++) out[i] = view.getInt16(i * 2, true) * step[Math.floor(i / cols)]!;
  return out;
}

/** Sublinear term frequency: long letters repeat their topic, but not linearly. */
const tf = (count: number) => 1 + Math.log(count);

/**
 * The class-k view of a text: each gram's tf times its scale for class k, unit length; the
 * logit is the weights' dot product with it plus the bias.
 */
function logit(idx: Int32Array, tfs: Float32Array, k: number, F: number, scale: Float32Array, weights: Float32Array, bias: number): number {
  let dot = 0;
  let norm = 0;
  const row = k * F;
  for (let t = 0; t < idx.length; t++) {
    const v = scale[row + idx[t]!]! * tfs[t]!;
    dot += weights[row + idx[t]!]! * v;
    norm += v * v;
  }
  return bias + (norm > 0 ? dot / Math.sqrt(norm) : 0);
}

/**
 * Train one binary logistic regression per class over NB-scaled grams. Within each binary
 * problem the positive and negative sides get the same total weight.
 * @example const m = trainNbsvm(examples, { alpha: 0.1, l2: 1e-3, epochs: 5 });
 */
export function trainNbsvm(examples: NbsvmExample[], opts: NbsvmOptions = {}): NbsvmModel {
  const { alpha = 0.1, l2 = 1e-3, epochs = 5, learningRate = 0.5, minCount = 2, seed = 7 } = opts;
  if (examples.length === 0) throw new Error('trainNbsvm: no training examples');
  const labels = [...new Set(examples.map((e) => e.label))].sort();
  const K = labels.length;
  const df = new Map<string, number>();
  for (const e of examples) for (const g of e.counts.keys()) df.set(g, (df.get(g) ?? 0) + 1);
  const features = [...df].filter(([, n]) => n >= minCount).map(([g]) => g).sort();
  const F = features.length;
  const featureIndex = new Map(features.map((g, i) => [g, i]));
  const N = examples.length;
  const idf = Float64Array.from(features, (g) => Math.log((1 + N) / (1 + df.get(g)!)) + 1);

  const ys = Int32Array.from(examples, (e) => labels.indexOf(e.label));
  const ws = Float64Array.from(examples, (e) => e.weight ?? 1);
  const idxs: Int32Array[] = [];
  const tfss: Float32Array[] = [];
  for (const e of examples) {
    const idx: number[] = [];
    const t: number[] = [];
    for (const [g, c] of e.counts) {
      const i = featureIndex.get(g);
      if (i !== undefined && c > 0) {
        idx.push(i);
        t.push(tf(c));
      }
    }
    idxs.push(Int32Array.from(idx));
    tfss.push(Float32Array.from(t));
  }

  // Weighted document counts per class (binarised grams), then r_k = log((p_k/|p_k|) / (q_k/|q_k|)).
  const p = new Float64Array(K * F);
  const all = new Float64Array(F);
  examples.forEach((_, n) => {
    for (const i of idxs[n]!) {
      p[ys[n]! * F + i]! += ws[n]!;
      all[i]! += ws[n]!;
    }
  });
  const scale = new Float32Array(K * F);
  for (let k = 0; k < K; k++) {
    let ps = 0;
    let qs = 0;
    for (let i = 0; i < F; i++) {
      ps += p[k * F + i]! + alpha;
      qs += all[i]! - p[k * F + i]! + alpha;
    }
    for (let i = 0; i < F; i++) {
      const r = Math.log((p[k * F + i]! + alpha) / ps / ((all[i]! - p[k * F + i]! + alpha) / qs));
      scale[k * F + i] = r * idf[i]!;
    }
  }

  const weights = new Float32Array(K * F);
  const bias = new Float64Array(K);
  const total = ws.reduce((a, w) => a + w, 0);
  for (let k = 0; k < K; k++) {
    let pos = 0;
    examples.forEach((_, n) => (pos += ys[n] === k ? ws[n]! : 0));
    const neg = total - pos;
    const G = new Float32Array(F).fill(1e-8);
    let gb = 1e-8;
    const row = k * F;
    const rand = seededRandom(seed + k);
    const order = examples.map((_, n) => n);
    // The class-k view of each example: scaled, unit length.
    const views = idxs.map((idx, n) => {
      const v = new Float32Array(idx.length);
      let norm = 0;
      for (let t = 0; t < idx.length; t++) {
        v[t] = scale[row + idx[t]!]! * tfss[n]![t]!;
        norm += v[t]! * v[t]!;
      }
      norm = Math.sqrt(norm) || 1;
      for (let t = 0; t < v.length; t++) v[t]! /= norm;
      return v;
    });
    for (let epoch = 0; epoch < epochs; epoch++) {
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(rand() * (i + 1));
        [order[i], order[j]] = [order[j]!, order[i]!];
      }
      for (const n of order) {
        const y = ys[n] === k ? 1 : 0;
        const sw = (ws[n]! * total) / (2 * (y ? pos : neg));
        const idx = idxs[n]!;
        const v = views[n]!;
        let z = bias[k]!;
        for (let t = 0; t < idx.length; t++) z += weights[row + idx[t]!]! * v[t]!;
        const g = sw * (1 / (1 + Math.exp(-z)) - y);
        gb += g * g;
        bias[k]! -= (learningRate * g) / Math.sqrt(gb);
        for (let t = 0; t < idx.length; t++) {
          const i = idx[t]!;
          const gw = g * v[t]! + l2 * weights[row + i]!;
          G[i]! += gw * gw;
          weights[row + i]! -= (learningRate * gw) / Math.sqrt(G[i]!);
        }
      }
    }
  }
  return { labels, features, scale: quantizeRows(scale, K), weights: quantizeRows(weights, K), bias: [...bias] };
}

export function compileNbsvm(model: NbsvmModel): CompiledNbsvm {
  const scale = dequantizeRows(model.scale);
  const weights = dequantizeRows(model.weights);
  if (model.scale.step.length !== model.labels.length || model.weights.step.length !== model.labels.length) throw new Error('NBSVM model arrays do not match its labels and features');
  const size = model.labels.length * model.features.length;
  if (scale.length !== size || weights.length !== size) throw new Error('NBSVM model arrays do not match its labels and features');
  return { labels: model.labels, featureIndex: new Map(model.features.map((f, i) => [f, i])), scale, weights, bias: Float64Array.from(model.bias) };
}

/**
 * Class probabilities of one text's gram counts: a softmax over the one-vs-rest logits (the
 * binary models are trained apart, so these are scores put on one scale, not calibrated
 * probabilities).
 */
export function predictNbsvm(m: CompiledNbsvm, counts: GramCounts): Map<string, number> {
  const idx: number[] = [];
  const tfs: number[] = [];
  for (const [g, c] of counts) {
    const i = m.featureIndex.get(g);
    if (i !== undefined && c > 0) {
      idx.push(i);
      tfs.push(tf(c));
    }
  }
  const I = Int32Array.from(idx);
  const T = Float32Array.from(tfs);
  const F = m.featureIndex.size;
  const z = m.labels.map((_, k) => logit(I, T, k, F, m.scale, m.weights, m.bias[k]!));
  const max = Math.max(...z);
  const e = z.map((v) => Math.exp(v - max));
  const sum = e.reduce((a, v) => a + v, 0);
  return new Map(m.labels.map((l, k) => [l, e[k]! / sum]));
}
