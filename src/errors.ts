/**
 * rnnkit's typed errors: everything that reads a file (checkpoints, datasets, word vectors,
 * corpora) reports a problem with the *input* as a subclass of RnnkitError whose message names
 * the source, what was expected and what arrived. Anything else escaping a reader (a TypeError
 * from deep inside, "Invalid typed array length", a stack overflow) is a bug in rnnkit; the
 * fault-injection suite (test/reliability, bench/fuzz-readers.ts) counts those as failures.
 */
export class RnnkitError extends Error {
  override name = "RnnkitError";
}

/** A checkpoint whose metadata, tensors or values cannot make the model it claims to hold. */
export class CheckpointError extends RnnkitError {
  override name = "CheckpointError";
}
