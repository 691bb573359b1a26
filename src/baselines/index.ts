/**
 * Classical text-classification baselines over sparse n-gram features: TF-IDF + logistic
 * regression and NBSVM (Wang & Manning 2012). Browser-safe.
 */
export { type CsrMatrix, CsrBuilder, csrMatVec, csrTransposeMatVecAdd, csrSelectRows, csrScaleColumns } from "./sparse.js";
export { type NgramVectorizerOptions, NgramVectorizer } from "./ngram-vectorizer.js";
export { type LbfgsOptions, type LbfgsResult, lbfgs } from "./lbfgs.js";
export { type LinearLoss, type LinearClassifierOptions, type BinaryModel, LinearClassifier, trainBinary } from "./linear.js";
export { type NbSvmOptions, NbSvm } from "./nbsvm.js";
export { type BaselineKind, type TextBaselineOptions, TextBaseline } from "./pipeline.js";
