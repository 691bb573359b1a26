import { readCheckpoint, writeFileAtomic } from "../io/checkpoint.js";
import { CLASSIFIER_KIND, type ClassifierBundle, classifierFromCheckpoint, classifierToBytes } from "./checkpoint-bytes.js";

// Byte-level (browser-safe) loading and saving, and the bundle types, live in ./checkpoint-bytes.ts.
export { CLASSIFIER_KIND, type ClassifierBundle, type TextPipeline, classifierToBytes, loadClassifierFromBytes } from "./checkpoint-bytes.js";

export function saveClassifier(path: string, b: Omit<ClassifierBundle, "info"> & { info?: Record<string, unknown> }): void {
  writeFileAtomic(path, classifierToBytes(b));
}

export function loadClassifier(path: string): ClassifierBundle {
  return classifierFromCheckpoint(readCheckpoint(path, CLASSIFIER_KIND), path);
}
