/**
 * Named datasets and `resolveDataset`: make sure a dataset is on disk and return its folder.
 *
 * Lookup order:
 *   1. a local data folder (`dataDir` option, else `$RNNKIT_DATA`) holding `<localName>/` with the
 *      expected files (e.g. a checkout's shared/data: `ptb/ptb.train.txt`), used as is;
 *   2. the cache (`cacheDir`, else `defaultCacheDir()`): `<cache>/<name>/`, complete when its
 *      marker file `.rnnkit-dataset.json` and the expected files exist (no network);
 *   3. download every file (verified, see `download.ts`), extract archives (see `extract.ts`;
 *      the archive is deleted afterwards, its checksum stays in the marker and `<file>.sha256`),
 *      check the expected files, write the marker.
 * `baseUrl` replaces every URL with `<baseUrl>/<file>` (a mirror or a test server); the registry's
 * checksums still apply.
 *
 * Checksums: PTB and Tiny Shakespeare SHA-256 are those of the byte-identical copies documented in
 * shared/data/{ptb,tinyshakespeare}/SOURCE.md (the PTB MD5s equal torchtext's). The wikitext-2 and
 * IMDB archives have no SHA-256 we could verify offline: `sha256: null` records it on first
 * download (logged), and the MD5s torchtext publishes for the same URLs are checked.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { defaultCacheDir } from "./cache.js";
import { download } from "./download.js";
import { type ArchiveKind, extractArchive } from "./extract.js";

export type DatasetName = "ptb" | "tinyshakespeare" | "wikitext-2" | "imdb";

export interface DatasetFile {
  /** File name inside the dataset folder (and under `baseUrl`). */
  file: string;
  /** Download URLs, tried in order. */
  urls: readonly string[];
  sha256: string | null;
  md5?: string;
  /** Unpack after download (the archive is then deleted). */
  extract?: ArchiveKind;
}

export interface DatasetSpec {
  name: string;
  description: string;
  citation: string;
  licence: string;
  files: readonly DatasetFile[];
  /** Sub-folder of `<cache>/<name>/` that `resolveDataset` returns ("" = the folder itself). */
  root: string;
  /** Paths under the returned folder that must exist. */
  expect: readonly string[];
  /** Folder name in a local data dir with the same layout as the returned folder, if any. */
  localName?: string;
}

const PTB_RAW = (mirror: string, split: string): string => `https://raw.githubusercontent.com/${mirror}/lstm/master/data/ptb.${split}.txt`;
const ptbFile = (split: string, sha256: string, md5: string): DatasetFile => ({
  file: `ptb.${split}.txt`,
  urls: [PTB_RAW("wojzaremba", split), PTB_RAW("tomsercu", split)],
  sha256,
  md5,
});

export const DATASETS: Readonly<Record<DatasetName, DatasetSpec>> = {
  ptb: {
    name: "ptb",
    description: "Penn Treebank, Mikolov's word-level version: ptb.{train,valid,test}.txt, 10k vocabulary (929,589 / 73,760 / 82,430 tokens with <eos>)",
    citation: "Marcus et al. 1993, Building a Large Annotated Corpus of English: The Penn Treebank; Mikolov et al. 2010 (RNNLM pre-processing)",
    licence: "research use; derived from LDC99T42",
    files: [
      ptbFile("train", "fcea919f6cf83f35d4d00c6cbf08040d13d4155226340912e2fef9c9c4102cbf", "f26c4b92c5fdc7b3f8c7cdcb991d8420"),
      ptbFile("valid", "c9fe6985fe0d4ccb578183407d7668fc6066c20700cb4cf87d8ff1cc34df1bf2", "aa0affc06ff7c36e977d7cd49e3839bf"),
      ptbFile("test", "dd65dff31e70846b2a6030a87482edcd5d199130cdcfa1f3dccbb033728deee0", "8b80168b89c18661a38ef683c0dc3721"),
    ],
    root: "",
    expect: ["ptb.train.txt", "ptb.valid.txt", "ptb.test.txt"],
    localName: "ptb",
  },
  tinyshakespeare: {
    name: "tinyshakespeare",
    description: "Tiny Shakespeare (Karpathy char-rnn): input.txt, 1,115,394 characters, 65 distinct",
    citation: "A. Karpathy, The Unreasonable Effectiveness of Recurrent Neural Networks (2015), github.com/karpathy/char-rnn",
    licence: "text public domain; char-rnn repository MIT",
    files: [
      {
        file: "input.txt",
        urls: ["https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/input.txt"],
        sha256: "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed",
      },
    ],
    root: "",
    expect: ["input.txt"],
    localName: "tinyshakespeare",
  },
  "wikitext-2": {
    name: "wikitext-2",
    description: "WikiText-2 (v1, tokenised, <unk> included): wiki.{train,valid,test}.tokens",
    citation: "Merity et al. 2016, Pointer Sentinel Mixture Models",
    licence: "CC BY-SA 3.0",
    files: [
      {
        file: "wikitext-2-v1.zip",
        urls: ["https://s3.amazonaws.com/research.metamind.io/wikitext/wikitext-2-v1.zip", "https://wikitext.smerity.com/wikitext-2-v1.zip"],
        sha256: null,
        md5: "542ccefacc6c27f945fb54453812b3cd",
        extract: "zip",
      },
    ],
    root: "wikitext-2",
    expect: ["wiki.train.tokens", "wiki.valid.tokens", "wiki.test.tokens"],
    localName: "wikitext-2",
  },
  imdb: {
    name: "imdb",
    description: "Large Movie Review Dataset v1.0 (aclImdb): {train,test}/{pos,neg}/<id>_<rating>.txt, 25,000 + 25,000 reviews, plus train/unsup",
    citation: "Maas et al. 2011, Learning Word Vectors for Sentiment Analysis",
    licence: "none stated (research dataset)",
    files: [
      {
        file: "aclImdb_v1.tar.gz",
        urls: ["https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz"],
        sha256: null,
        md5: "7c2ac02c03563afcf9b574c7e56c153a",
        extract: "tar.gz",
      },
    ],
    root: "aclImdb",
    expect: ["train/pos", "train/neg", "test/pos", "test/neg", "imdb.vocab"],
    localName: "aclImdb",
  },
};

export const DATASET_NAMES = Object.keys(DATASETS) as DatasetName[];

export interface ResolveDatasetOptions {
  /** Cache folder (default `defaultCacheDir()`). */
  cacheDir?: string;
  /** Local data folder checked first (default `$RNNKIT_DATA`). */
  dataDir?: string;
  /** Download every file from `<baseUrl>/<file>` instead of the registry URLs. */
  baseUrl?: string;
  /** Download progress per file. */
  onProgress?: (file: string, bytes: number, total: number | null) => void;
  /** Notices (recorded checksums, where the data came from); default stderr. */
  log?: (message: string) => void;
  /** Re-download even if the cache is complete. */
  force?: boolean;
  timeoutMs?: number;
}

export interface ResolvedDataset {
  name: string;
  /** Folder holding the dataset's files. */
  dir: string;
  /** Where it was found. */
  source: "data-dir" | "cache" | "download";
  /** SHA-256 of each downloaded file (empty for data-dir). */
  sha256: Record<string, string>;
}

const MARKER = ".rnnkit-dataset.json";

interface Marker {
  name: string;
  files: { file: string; sha256: string; bytes: number; url: string | null }[];
}

const hasAll = (dir: string, expect: readonly string[]): boolean => expect.every((e) => existsSync(join(dir, e)));

/** Look up a registry entry by name (throws listing the known names). */
export function datasetSpec(name: string): DatasetSpec {
  const spec = (DATASETS as Record<string, DatasetSpec | undefined>)[name];
  if (spec === undefined) throw new RangeError(`unknown dataset ${JSON.stringify(name)}; known: ${DATASET_NAMES.join(", ")}`);
  return spec;
}

/**
 * Make a dataset available locally and return its folder (lookup order in the file comment).
 *   const { dir } = await resolveDataset("ptb");   // dir/ptb.train.txt …
 */
export async function resolveDataset(nameOrSpec: DatasetName | DatasetSpec, opts: ResolveDatasetOptions = {}): Promise<ResolvedDataset> {
  const spec = typeof nameOrSpec === "string" ? datasetSpec(nameOrSpec) : nameOrSpec;
  const log = opts.log ?? ((m: string): void => void process.stderr.write(m + "\n"));

  const dataDir = opts.dataDir ?? process.env.RNNKIT_DATA;
  if (dataDir !== undefined && dataDir !== "" && spec.localName !== undefined && !opts.force) {
    const dir = join(dataDir, spec.localName);
    if (hasAll(dir, spec.expect)) return { name: spec.name, dir, source: "data-dir", sha256: {} };
  }

  const base = join(opts.cacheDir ?? defaultCacheDir(), spec.name);
  const dir = spec.root === "" ? base : join(base, spec.root);
  const markerPath = join(base, MARKER);
  if (!opts.force && existsSync(markerPath) && hasAll(dir, spec.expect)) {
    const m = JSON.parse(readFileSync(markerPath, "utf8")) as Marker;
    return { name: spec.name, dir, source: "cache", sha256: Object.fromEntries(m.files.map((f) => [f.file, f.sha256])) };
  }

  mkdirSync(base, { recursive: true });
  rmSync(markerPath, { force: true });
  const marker: Marker = { name: spec.name, files: [] };
  for (const f of spec.files) {
    const urls = opts.baseUrl !== undefined ? [new URL(f.file, opts.baseUrl.endsWith("/") ? opts.baseUrl : opts.baseUrl + "/").href] : f.urls;
    const dest = join(base, f.file);
    const r = await download({
      url: urls,
      sha256: f.sha256,
      ...(f.md5 !== undefined ? { md5: f.md5 } : {}),
      dest,
      onProgress: opts.onProgress === undefined ? undefined : (b, t) => opts.onProgress!(f.file, b, t),
      log,
      force: opts.force,
      timeoutMs: opts.timeoutMs,
    });
    marker.files.push({ file: f.file, sha256: r.sha256, bytes: r.bytes, url: r.url });
    if (f.extract !== undefined) {
      const x = await extractArchive(dest, base, { kind: f.extract });
      for (const s of x.skipped) log(`${f.file}: skipped ${s.name}: ${s.reason}`);
      rmSync(dest, { force: true });
    }
  }
  const missing = spec.expect.filter((e) => !existsSync(join(dir, e)));
  if (missing.length > 0) {
    throw new Error(`dataset ${spec.name}: after download, ${dir} lacks ${missing.join(", ")} (hint: the archive layout may have changed; delete ${base} and retry)`);
  }
  writeFileSync(markerPath, JSON.stringify(marker, null, 2) + "\n");
  return { name: spec.name, dir, source: "download", sha256: Object.fromEntries(marker.files.map((f) => [f.file, f.sha256])) };
}
