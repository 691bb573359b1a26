import { join } from "node:path";
import { Tensor } from "../../src/tensor/tensor.js";
import { type FixtureTensor, REPO_ROOT, readJson } from "./shared.js";

/** A golden file of scripts/fixtures/make_awd_fixtures.py (committed under test/fixtures/awd). */
export const readAwd = <T>(name: string): T => readJson<T>(join(REPO_ROOT, "test", "fixtures", "awd", `${name}.json`));
export const ft = (f: FixtureTensor, requiresGrad = false): Tensor => new Tensor(Float32Array.from(f.data), f.shape, requiresGrad);
export type { FixtureTensor };
