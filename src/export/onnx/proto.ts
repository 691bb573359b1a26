/**
 * The ONNX protobuf messages rnnkit writes, encoded by protobufjs from the official onnx.proto
 * (./onnx.proto → ./onnx-descriptor.ts, see scripts/gen-onnx-descriptor.mjs). The interfaces
 * below type the subset of fields the exporter fills in, under the spec's own field names.
 */
import protobuf from "protobufjs/light.js";
import { ONNX_DESCRIPTOR } from "./onnx-descriptor.js";

/** TensorProto.DataType values used here. */
export const DataType = { FLOAT: 1, INT32: 6, INT64: 7, BOOL: 9 } as const;
export type ElemType = (typeof DataType)[keyof typeof DataType];

/** AttributeProto.AttributeType values. */
export const AttrType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, FLOATS: 6, INTS: 7, STRINGS: 8 } as const;

/** ONNX IR version of onnx.proto 1.12 and the default-domain opset the graphs are written for. */
export const IR_VERSION = 8;
export const OPSET = 17;

export interface TensorMsg {
  name: string;
  dims: number[];
  data_type: ElemType;
  /** Little-endian element bytes (row-major). */
  raw_data: Uint8Array;
}
export interface AttributeMsg {
  name: string;
  type: (typeof AttrType)[keyof typeof AttrType];
  f?: number;
  i?: number;
  s?: Uint8Array;
  t?: TensorMsg;
  g?: GraphMsg;
  floats?: number[];
  ints?: number[];
  strings?: Uint8Array[];
}
export interface NodeMsg {
  name: string;
  op_type: string;
  input: string[];
  output: string[];
  attribute: AttributeMsg[];
  domain?: string;
}
/** One dimension: a fixed size or a symbolic name ("batch", "time"). */
export type DimMsg = { dim_value: number } | { dim_param: string };
export interface ValueInfoMsg {
  name: string;
  doc_string?: string;
  type: { tensor_type: { elem_type: ElemType; shape?: { dim: DimMsg[] } } };
}
export interface GraphMsg {
  name: string;
  node: NodeMsg[];
  initializer: TensorMsg[];
  input: ValueInfoMsg[];
  output: ValueInfoMsg[];
  doc_string?: string;
}
export interface ModelMsg {
  ir_version: number;
  opset_import: { domain: string; version: number }[];
  producer_name: string;
  producer_version: string;
  domain?: string;
  model_version?: number;
  doc_string?: string;
  graph: GraphMsg;
  metadata_props: { key: string; value: string }[];
}

let modelType: protobuf.Type | null = null;
function modelProto(): protobuf.Type {
  modelType ??= protobuf.Root.fromJSON(ONNX_DESCRIPTOR as protobuf.INamespace).lookupType("onnx.ModelProto");
  return modelType;
}

/** Serialise a model; a field protobufjs cannot place (a typo, a wrong type) is an error here, not in the runtime. */
export function encodeModel(m: ModelMsg): Uint8Array {
  const T = modelProto();
  const obj = m as unknown as Record<string, unknown>;
  const err = T.verify(obj);
  if (err) throw new Error(`ONNX export: the model message is malformed (${err}); this is a bug in rnnkit's exporter`);
  return T.encode(T.fromObject(obj)).finish();
}

/** Parse .onnx bytes back into plain objects (longs as numbers, bytes as Uint8Array/Buffer); for tests and `rnnkit export --inspect`. */
export function decodeModel(bytes: Uint8Array): ModelMsg {
  const T = modelProto();
  return T.toObject(T.decode(bytes), { longs: Number, enums: Number, arrays: true }) as unknown as ModelMsg;
}
