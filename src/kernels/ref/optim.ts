import type { AdamStepOptions, F32, SgdStepOptions } from "../backend.js";

export function adamStep(p: F32, g: F32, m: F32, v: F32, n: number, o: AdamStepOptions): void {
  const bc1 = 1 - Math.pow(o.beta1, o.step);
  const bc2 = 1 - Math.pow(o.beta2, o.step);
  const stepSize = o.lr / bc1;
  const sqrtBc2 = Math.sqrt(bc2);
  for (let i = 0; i < n; i++) {
    let gi = g[i]!;
    if (o.weightDecay !== 0) {
      if (o.decoupled) p[i]! *= 1 - o.lr * o.weightDecay;
      else gi += o.weightDecay * p[i]!;
    }
    const mi = (m[i] = o.beta1 * m[i]! + (1 - o.beta1) * gi);
    const vi = (v[i] = o.beta2 * v[i]! + (1 - o.beta2) * gi * gi);
    // PyTorch: denom = sqrt(v) / sqrt(bc2) + eps;  p -= (lr / bc1) * m / denom
    p[i]! -= (stepSize * mi) / (Math.sqrt(vi) / sqrtBc2 + o.eps);
  }
}

export function sgdStep(p: F32, g: F32, buf: F32 | null, n: number, o: SgdStepOptions): void {
  for (let i = 0; i < n; i++) {
    let d = g[i]!;
    if (o.weightDecay !== 0) d += o.weightDecay * p[i]!;
    if (o.momentum !== 0 && buf) {
      const b = (buf[i] = o.firstStep ? d : o.momentum * buf[i]! + (1 - o.dampening) * d);
      d = o.nesterov ? d + o.momentum * b : b;
    }
    p[i]! -= o.lr * d;
  }
}
