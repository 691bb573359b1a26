/** Dataset downloads: verified http(s) fetches into a cache, safe archive extraction, a registry of named datasets. */
export { defaultCacheDir } from "./cache.js";
export { type DownloadOptions, type DownloadResult, download, hashFile, readRecordedSha256 } from "./download.js";
export { type ArchiveKind, type ExtractOptions, type ExtractResult, detectArchiveKind, extractArchive } from "./extract.js";
export { type SkippedEntry, type ExtractStats, safeEntryPath } from "./sink.js";
export { type DatasetName, type DatasetFile, type DatasetSpec, type ResolveDatasetOptions, type ResolvedDataset, DATASETS, DATASET_NAMES, datasetSpec, resolveDataset } from "./registry.js";
