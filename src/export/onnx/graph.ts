/**
 * A small builder for ONNX graphs: unique value names, nodes with typed attributes, float and int64
 * initializers, typed graph inputs/outputs. It knows nothing about models; ./recurrent.ts,
 * ./language-model.ts and ./classifier.ts describe the networks with it.
 */
import { AttrType, type AttributeMsg, DataType, type DimMsg, type ElemType, type GraphMsg, type NodeMsg, type TensorMsg, type ValueInfoMsg } from "./proto.js";

/** An attribute value, tagged with its ONNX type (an int and a float attribute look alike in JS). */
export type Attr = { i: number } | { f: number } | { s: string } | { ints: readonly number[] } | { floats: readonly number[] } | { strings: readonly string[] } | { g: GraphMsg };

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

function attribute(name: string, a: Attr): AttributeMsg {
  if ("i" in a) return { name, type: AttrType.INT, i: a.i };
  if ("f" in a) return { name, type: AttrType.FLOAT, f: a.f };
  if ("s" in a) return { name, type: AttrType.STRING, s: utf8(a.s) };
  if ("ints" in a) return { name, type: AttrType.INTS, ints: [...a.ints] };
  if ("floats" in a) return { name, type: AttrType.FLOATS, floats: [...a.floats] };
  if ("strings" in a) return { name, type: AttrType.STRINGS, strings: a.strings.map(utf8) };
  return { name, type: AttrType.GRAPH, g: a.g };
}

/** Little-endian bytes of a typed array (copies on big-endian hosts, which ONNX files never are). */
function leBytes(data: Float32Array | BigInt64Array | Int32Array | Uint8Array): Uint8Array {
  const little = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
  if (little || data.BYTES_PER_ELEMENT === 1) return bytes;
  const k = data.BYTES_PER_ELEMENT;
  for (let i = 0; i < bytes.length; i += k) bytes.subarray(i, i + k).reverse();
  return bytes;
}

/** A dimension of a graph input or output: a number is fixed, a string is a symbolic (dynamic) axis. */
export type Dim = number | string;
const dim = (d: Dim): DimMsg => (typeof d === "number" ? { dim_value: d } : { dim_param: d });

export function valueInfo(name: string, elemType: ElemType, dims: readonly Dim[] | null, doc?: string): ValueInfoMsg {
  return {
    name,
    ...(doc ? { doc_string: doc } : {}),
    type: { tensor_type: { elem_type: elemType, ...(dims ? { shape: { dim: dims.map(dim) } } : {}) } },
  };
}

export class GraphBuilder {
  readonly nodes: NodeMsg[] = [];
  readonly initializers: TensorMsg[] = [];
  readonly inputs: ValueInfoMsg[] = [];
  readonly outputs: ValueInfoMsg[] = [];
  /** Every name used in the model: ONNX Runtime wants names unique across a graph and all its subgraphs. */
  readonly #names: Set<string>;
  readonly #intConsts = new Map<string, string>();

  /** `parent`: the graph a subgraph (a Scan body) belongs to; they share one name space. */
  constructor(readonly name: string, parent: GraphBuilder | null = null) {
    this.#names = parent ? parent.#names : new Set<string>();
  }

  /** A name not used yet anywhere in the model. */
  fresh(base: string): string {
    let n = base;
    for (let k = 1; this.#taken(n); k++) n = `${base}_${k}`;
    this.#names.add(n);
    return n;
  }
  #taken(n: string): boolean {
    return this.#names.has(n);
  }

  /** Add a node; returns its output names (`outputs` names them, else they are derived from the op). */
  op(opType: string, inputs: readonly string[], attrs: Record<string, Attr> = {}, outputs: number | readonly string[] = 1): string[] {
    const outs = typeof outputs === "number" ? Array.from({ length: outputs }, (_, k) => this.fresh(`${opType.toLowerCase()}${outputs > 1 ? `_o${k}` : ""}`)) : outputs.map((o) => this.fresh(o));
    this.nodes.push({
      name: this.fresh(`${opType}_node`),
      op_type: opType,
      input: [...inputs],
      output: outs,
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return outs;
  }
  /** A node with one output. */
  op1(opType: string, inputs: readonly string[], attrs: Record<string, Attr> = {}, output?: string): string {
    return this.op(opType, inputs, attrs, output === undefined ? 1 : [output])[0]!;
  }

  /** A float32 initializer (a weight). */
  floats(name: string, data: Float32Array, dims: readonly number[]): string {
    const n = this.fresh(name);
    this.initializers.push({ name: n, dims: [...dims], data_type: DataType.FLOAT, raw_data: leBytes(data) });
    return n;
  }
  /** An int64 constant (shapes, axes, indices); equal constants share one initializer. dims [] = a scalar. */
  ints(values: readonly number[], dims: readonly number[] = [values.length]): string {
    const key = `${dims.join("x")}:${values.join(",")}`;
    const known = this.#intConsts.get(key);
    if (known) return known;
    const n = this.fresh(`const_${values.length <= 4 ? values.join("_").replace(/-/g, "m") : "i64"}`);
    this.initializers.push({ name: n, dims: [...dims], data_type: DataType.INT64, raw_data: leBytes(BigInt64Array.from(values, BigInt)) });
    this.#intConsts.set(key, n);
    return n;
  }

  input(name: string, elemType: ElemType, dims: readonly Dim[] | null, doc?: string): string {
    const n = this.fresh(name);
    if (n !== name) throw new Error(`GraphBuilder: input name ${name} is taken`);
    this.inputs.push(valueInfo(name, elemType, dims, doc));
    return name;
  }

  /** Declare `value` a graph output named `name` (an Identity renames it when needed). */
  output(name: string, value: string, elemType: ElemType, dims: readonly Dim[] | null, doc?: string): void {
    if (value !== name) {
      if (this.#taken(name)) throw new Error(`GraphBuilder: output name ${name} is taken`);
      this.op1("Identity", [value], {}, name);
    }
    this.outputs.push(valueInfo(name, elemType, dims, doc));
  }

  toGraph(doc?: string): GraphMsg {
    return { name: this.name, node: this.nodes, initializer: this.initializers, input: this.inputs, output: this.outputs, ...(doc ? { doc_string: doc } : {}) };
  }
}
