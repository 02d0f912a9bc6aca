// TypeScript twin of native/train-sgd.cc: one epoch of biased-MF SGD (the
// update Surprise's SVD makes), visiting ratings in the order given.

export interface SgdEpochArgs {
  user: Uint32Array;
  item: Uint32Array;
  value: Float32Array;
  /** Indices into user/item/value, visited in this order. */
  order: Uint32Array;
  userFactors: Float32Array;
  itemFactors: Float32Array;
  userBias: Float32Array;
  itemBias: Float32Array;
  k: number;
  globalMean: number;
  lr: number;
  reg: number;
  /** Step and penalty of the biases (default: lr and reg, as Surprise's SVD). */
  biasLr?: number;
  biasReg?: number;
}

/** Updates the factors and biases in place; returns the sum of squared errors seen before each update. */
export function sgdEpochTs(a: SgdEpochArgs): number {
  const {
    user,
    item,
    value,
    order,
    userFactors: P,
    itemFactors: Q,
    userBias: bu,
    itemBias: bi,
    k,
    globalMean: mu,
    lr,
    reg,
  } = a;
  const blr = a.biasLr ?? lr;
  const breg = a.biasReg ?? reg;
  let sse = 0;
  for (let n = 0; n < order.length; n++) {
    const r = order[n]!;
    const u = user[r]!;
    const i = item[r]!;
    const pu = u * k;
    const qi = i * k;
    let dot = 0;
    for (let f = 0; f < k; f++) dot += P[pu + f]! * Q[qi + f]!;
    const err = value[r]! - (mu + bu[u]! + bi[i]! + dot);
    sse += err * err;
    bu[u] = bu[u]! + blr * (err - breg * bu[u]!);
    bi[i] = bi[i]! + blr * (err - breg * bi[i]!);
    for (let f = 0; f < k; f++) {
      const p = P[pu + f]!;
      const q = Q[qi + f]!;
      P[pu + f] = p + lr * (err * q - reg * p);
      Q[qi + f] = q + lr * (err * p - reg * q);
    }
  }
  return sse;
}

export interface SgdEpochsArgs extends SgdEpochArgs {
  epochs: number;
  /** Epoch e steps with lr·lrDecay^e, the biases with biasLr·lrDecay^e. */
  lrDecay: number;
}

/** `epochs` epochs in a row; returns each epoch's sum of squared errors. */
export function sgdEpochsTs(a: SgdEpochsArgs): Float64Array {
  const sse = new Float64Array(a.epochs);
  const biasLr = a.biasLr ?? a.lr;
  let scale = 1;
  for (let e = 0; e < a.epochs; e++, scale *= a.lrDecay)
    sse[e] = sgdEpochTs({ ...a, lr: a.lr * scale, biasLr: biasLr * scale });
  return sse;
}
