/**
 * Word embeddings: pretrained-vector readers/writers (GloVe, word2vec text/binary, fastText .vec),
 * the embedding matrix for a Vocabulary with a coverage report, and word2vec skip-gram training.
 * Node only for read/write (node:fs); WordVectors, matrix and word2vec are browser-safe.
 */
export { type Neighbor, WordVectors } from "./word-vectors.js";
export { type EmbeddingFormat, type ReadEmbeddingsOptions, type ReadEmbeddingsResult, readEmbeddings } from "./read.js";
export { formatFloat32, writeWord2VecText, writeWord2VecBinary } from "./write.js";
export { type EmbeddingMatrixOptions, type CoverageReport, type EmbeddingMatrix, buildEmbeddingMatrix, formatCoverage } from "./matrix.js";
export { type Word2VecOptions, type Word2VecResult, trainWord2Vec } from "./word2vec.js";
