import type { BinaryOp, UnaryOp } from "../../kernels/backend.js";
import { backend } from "../../kernels/registry.js";
import { type Shape, broadcastShapes, broadcastStrides, numel, sameShape } from "../shape.js";
import { Tensor, makeOutput } from "../tensor.js";

const scalar = (v: number): Tensor => new Tensor(new Float32Array([v]), []);
const asTensor = (o: Tensor | number): Tensor => (typeof o === "number" ? scalar(o) : o);

/** Sum a gradient over the broadcast dimensions so it has the operand's own shape. */
export function reduceToShape(g: Float32Array, outShape: Shape, shape: Shape): Float32Array {
  if (sameShape(outShape, shape)) return g;
  const r = new Float32Array(numel(shape));
  const st = broadcastStrides(shape, outShape);
  const nd = outShape.length;
  const idx = new Array<number>(nd).fill(0);
  let p = 0;
  for (let i = 0; i < g.length; i++) {
    r[p]! += g[i]!;
    for (let d = nd - 1; d >= 0; d--) {
      idx[d]!++;
      p += st[d]!;
      if (idx[d]! < outShape[d]!) break;
      p -= st[d]! * outShape[d]!;
      idx[d] = 0;
    }
  }
  return r;
}

function binaryRaw(op: BinaryOp, a: Tensor, b: Tensor, shape: Shape): Float32Array {
  const out = new Float32Array(numel(shape));
  backend().binary(op, a.f32, broadcastStrides(a.shape, shape), b.f32, broadcastStrides(b.shape, shape), out, shape);
  return out;
}

function binaryOp(op: BinaryOp, name: string, x: Tensor, o: Tensor | number): Tensor {
  const y = asTensor(o);
  const shape = broadcastShapes(`Tensor.${name}`, x.shape, y.shape);
  const data = binaryRaw(op, x, y, shape);
  const full = (t: Float32Array): Tensor => new Tensor(t, shape);
  return makeOutput(data, shape, [x, y], (g) => {
    const G = full(g);
    let gx: Float32Array | null = null;
    let gy: Float32Array | null = null;
    switch (op) {
      case "add":
        gx = x.requiresGrad ? reduceToShape(g, shape, x.shape) : null;
        gy = y.requiresGrad ? reduceToShape(g, shape, y.shape) : null;
        break;
      case "sub":
        gx = x.requiresGrad ? reduceToShape(g, shape, x.shape) : null;
        gy = y.requiresGrad ? reduceToShape(negRaw(g), shape, y.shape) : null;
        break;
      case "mul":
        gx = x.requiresGrad ? reduceToShape(binaryRaw("mul", G, y, shape), shape, x.shape) : null;
        gy = y.requiresGrad ? reduceToShape(binaryRaw("mul", G, x, shape), shape, y.shape) : null;
        break;
      case "div": {
        const gOverY = binaryRaw("div", G, y, shape); // g / y
        gx = x.requiresGrad ? reduceToShape(gOverY, shape, x.shape) : null;
        if (y.requiresGrad) {
          // d(x/y)/dy = −x / y² = −(g/y) · (x/y)
          const q = full(data);
          gy = reduceToShape(negRaw(binaryRaw("mul", full(gOverY), q, shape)), shape, y.shape);
        }
        break;
      }
    }
    return [gx, gy];
  });
}

function negRaw(g: Float32Array): Float32Array {
  const r = new Float32Array(g.length);
  backend().unary("neg", g, r, g.length);
  return r;
}

export const add = (x: Tensor, o: Tensor | number): Tensor => binaryOp("add", "add", x, o);
export const sub = (x: Tensor, o: Tensor | number): Tensor => binaryOp("sub", "sub", x, o);
export const mul = (x: Tensor, o: Tensor | number): Tensor => binaryOp("mul", "mul", x, o);
export const div = (x: Tensor, o: Tensor | number): Tensor => binaryOp("div", "div", x, o);

function unaryOp(op: UnaryOp, x: Tensor): Tensor {
  const xd = x.f32;
  const out = new Float32Array(xd.length);
  backend().unary(op, xd, out, xd.length);
  return makeOutput(out, x.shape, [x], (g) => {
    const dx = new Float32Array(xd.length);
    backend().unaryBackward(op, xd, out, g, dx, xd.length);
    return [dx];
  });
}

export const neg = (x: Tensor): Tensor => unaryOp("neg", x);
export const exp = (x: Tensor): Tensor => unaryOp("exp", x);
export const log = (x: Tensor): Tensor => unaryOp("log", x);
export const sqrt = (x: Tensor): Tensor => unaryOp("sqrt", x);
export const abs = (x: Tensor): Tensor => unaryOp("abs", x);
export const sigmoid = (x: Tensor): Tensor => unaryOp("sigmoid", x);
export const tanh = (x: Tensor): Tensor => unaryOp("tanh", x);
export const relu = (x: Tensor): Tensor => unaryOp("relu", x);

