import type { Tensor } from "../tensor/tensor.js";
import { Module } from "./module.js";

/** A module with a forward from one tensor to one tensor (what Sequential chains). */
export interface TensorModule extends Module {
  forward(x: Tensor): Tensor;
}

/** An indexed list of submodules (torch.nn.ModuleList): parameters are named `0.…`, `1.…`. */
export class ModuleList<M extends Module = Module> extends Module {
  readonly items: readonly M[];
  constructor(items: readonly M[]) {
    super();
    this.items = items.map((m, i) => this.registerModule(String(i), m));
  }
  get length(): number {
    return this.items.length;
  }
  at(i: number): M {
    const m = this.items[i];
    if (!m) throw new RangeError(`ModuleList.at: index ${i} is out of range [0, ${this.items.length})`);
    return m;
  }
}

/** Modules applied in order (torch.nn.Sequential), named `0`, `1`, …: y = f_n(… f_1(x)). */
export class Sequential extends ModuleList<TensorModule> {
  forward(x: Tensor): Tensor {
    return this.items.reduce((h, m) => m.forward(h), x);
  }
}
