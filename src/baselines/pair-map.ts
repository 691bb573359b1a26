/**
 * An open-addressing hash map from pairs of non-negative int32 (a, b) to dense ids 0, 1, 2, … in
 * insertion order. Used for bigram counting: a JS Map keyed by a·U + b would hash heap doubles
 * once U² exceeds the small-integer range, which is several times slower.
 */
export class PairMap {
  private keysA: Int32Array;
  private keysB: Int32Array;
  private slots: Int32Array; // id + 1, 0 = empty
  private mask: number;
  /** Number of distinct pairs. */
  size = 0;
  /** First / second element of each pair, by id. */
  firsts: Int32Array;
  seconds: Int32Array;

  constructor(capacity = 1 << 16) {
    let cap = 16;
    while (cap < capacity * 2) cap *= 2;
    this.slots = new Int32Array(cap);
    this.keysA = new Int32Array(cap);
    this.keysB = new Int32Array(cap);
    this.mask = cap - 1;
    this.firsts = new Int32Array(Math.max(16, capacity));
    this.seconds = new Int32Array(Math.max(16, capacity));
  }

  private static hash(a: number, b: number): number {
    let h = Math.imul(a, 0x9e3779b1) ^ Math.imul(b + 0x7f4a7c15, 0x85ebca6b);
    h ^= h >>> 15;
    return Math.imul(h, 0x2c1b3c6d) ^ (h >>> 13);
  }

  /** Id of (a, b), or -1. */
  get(a: number, b: number): number {
    let i = PairMap.hash(a, b) & this.mask;
    for (;;) {
      const s = this.slots[i]!;
      if (s === 0) return -1;
      if (this.keysA[i] === a && this.keysB[i] === b) return s - 1;
      i = (i + 1) & this.mask;
    }
  }

  /** Id of (a, b), inserting it when new. */
  intern(a: number, b: number): number {
    let i = PairMap.hash(a, b) & this.mask;
    for (;;) {
      const s = this.slots[i]!;
      if (s === 0) break;
      if (this.keysA[i] === a && this.keysB[i] === b) return s - 1;
      i = (i + 1) & this.mask;
    }
    const id = this.size++;
    this.slots[i] = id + 1;
    this.keysA[i] = a;
    this.keysB[i] = b;
    if (id >= this.firsts.length) {
      const fa = new Int32Array(this.firsts.length * 2);
      fa.set(this.firsts);
      this.firsts = fa;
      const fb = new Int32Array(this.seconds.length * 2);
      fb.set(this.seconds);
      this.seconds = fb;
    }
    this.firsts[id] = a;
    this.seconds[id] = b;
    if (this.size * 2 > this.slots.length) this.grow();
    return id;
  }

  private grow(): void {
    const cap = this.slots.length * 2;
    const slots = new Int32Array(cap);
    const ka = new Int32Array(cap);
    const kb = new Int32Array(cap);
    const mask = cap - 1;
    for (let id = 0; id < this.size; id++) {
      const a = this.firsts[id]!, b = this.seconds[id]!;
      let i = PairMap.hash(a, b) & mask;
      while (slots[i] !== 0) i = (i + 1) & mask;
      slots[i] = id + 1;
      ka[i] = a;
      kb[i] = b;
    }
    this.slots = slots;
    this.keysA = ka;
    this.keysB = kb;
    this.mask = mask;
  }
}

/** A growable Int32 array (counts indexed by dense id). */
export class IntCounter {
  data: Int32Array;
  constructor(capacity = 1024) {
    this.data = new Int32Array(capacity);
  }
  ensure(n: number): void {
    if (n <= this.data.length) return;
    let cap = this.data.length;
    while (cap < n) cap *= 2;
    const d = new Int32Array(cap);
    d.set(this.data);
    this.data = d;
  }
}
