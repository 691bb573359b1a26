/**
 * Slanted triangular learning rates (Howard & Ruder 2018, eq. 3): a short linear warm-up to the
 * peak over the first `cutFrac` of the steps, then a long linear decay to peak/ratio:
 *
 *   cut = ⌊T · cut_frac⌋
 *   p   = t / cut                                   if t < cut
 *         1 − (t − cut) / (cut · (1/cut_frac − 1))  otherwise
 *   η_t = η_max · (1 + p · (ratio − 1)) / ratio
 *
 * t counts optimizer steps from 0 to T − 1. The returned function gives the multiplier η_t/η_max,
 * so one schedule serves every parameter group (discriminative rates keep their ratios).
 */
export interface SlantedTriangularOptions {
  /** T: total number of optimizer steps of the schedule. */
  steps: number;
  /** Share of the steps spent increasing the rate (paper: 0.1). */
  cutFrac?: number;
  /** How much smaller the lowest rate is than the peak (paper: 32). */
  ratio?: number;
}

export function slantedTriangular(o: SlantedTriangularOptions): (step: number) => number {
  const T = o.steps;
  const cutFrac = o.cutFrac ?? 0.1;
  const ratio = o.ratio ?? 32;
  if (!Number.isInteger(T) || T < 1) throw new RangeError(`slantedTriangular: steps must be an integer ≥ 1, got ${T}`);
  if (!(cutFrac > 0 && cutFrac < 1)) throw new RangeError(`slantedTriangular: cutFrac must be in (0, 1), got ${cutFrac}`);
  if (!(ratio >= 1)) throw new RangeError(`slantedTriangular: ratio must be ≥ 1, got ${ratio}`);
  const cut = Math.max(1, Math.floor(T * cutFrac));
  return (t: number): number => {
    const s = Math.min(Math.max(t, 0), T - 1);
    const p = s < cut ? s / cut : Math.max(0, 1 - (s - cut) / (cut * (1 / cutFrac - 1)));
    return (1 + p * (ratio - 1)) / ratio;
  };
}

/**
 * Discriminative fine-tuning (Howard & Ruder 2018, §3.2): the top layer group gets `lr`, each one
 * below it `lr / decay` of the one above (paper: decay 2.6). Returns rates bottom → top for
 * `groups` groups.
 */
export function discriminativeRates(lr: number, groups: number, decay = 2.6): number[] {
  if (!(lr > 0)) throw new RangeError(`discriminativeRates: lr must be > 0, got ${lr}`);
  if (!Number.isInteger(groups) || groups < 1) throw new RangeError(`discriminativeRates: groups must be an integer ≥ 1, got ${groups}`);
  if (!(decay >= 1)) throw new RangeError(`discriminativeRates: decay must be ≥ 1, got ${decay}`);
  return Array.from({ length: groups }, (_, g) => lr / Math.pow(decay, groups - 1 - g));
}
