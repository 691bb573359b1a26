/** Checkpoint writes are atomic and durable: fsync of the file and of its folder, no temp file left on failure. */
import { test } from "node:test";
import assert from "node:assert/strict";
import fs, { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { syncBuiltinESMExports } from "node:module";
import { join } from "node:path";
import { writeFileAtomic } from "../../src/io/checkpoint.js";
import { tempDir } from "../helpers/tmp.js";

test("writeFileAtomic fsyncs the file before the rename and the folder after it", () => {
  const dir = tempDir("atomic");
  const path = join(dir, "m.safetensors");
  const calls: string[] = [];
  const { fsyncSync, renameSync } = fs;
  fs.fsyncSync = (fd: number): void => {
    calls.push(fs.fstatSync(fd).isDirectory() ? "fsync dir" : "fsync file");
    fsyncSync(fd);
  };
  fs.renameSync = (a: fs.PathLike, b: fs.PathLike): void => {
    calls.push("rename");
    renameSync(a, b);
  };
  syncBuiltinESMExports();
  try {
    writeFileAtomic(path, new Uint8Array([1, 2, 3]));
  } finally {
    fs.fsyncSync = fsyncSync;
    fs.renameSync = renameSync;
    syncBuiltinESMExports();
  }
  assert.deepEqual(calls, ["fsync file", "rename", "fsync dir"]);
  assert.deepEqual([...readFileSync(path)], [1, 2, 3]);
  assert.deepEqual(readdirSync(dir), ["m.safetensors"]);
});

test("a failed write (the target is a folder) says where and leaves no temp file", () => {
  const dir = tempDir("atomic");
  mkdirSync(join(dir, "taken"));
  assert.throws(() => writeFileAtomic(join(dir, "taken"), "x"), /cannot write .*taken: /);
  assert.deepEqual(readdirSync(dir), ["taken"]);
});
