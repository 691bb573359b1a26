/**
 * Vectorizer + classifier in one object, on tokenised documents:
 *
 *   const model = new TextBaseline("tfidf-lr").fit(tokenizeAll(train), encodeLabels(train, labels));
 *   const pred = model.predict(tokenizeAll(test));
 *
 * Defaults:
 * - "tfidf-lr": uni+bigrams, min df 2, sublinear TF-IDF, L2 rows; logistic regression C = 3
 *   (best of {0.3, 1, 3, 10, 30, 100} on the SST-2 dev set; tune C per dataset when it matters —
 *   bench/sentiment-baselines.ts picks it on a validation split);
 * - "nbsvm": binary uni+bigrams, min df 2; NBSVM α = 1, β = 0.25, C = 1, L2-loss SVM (the paper's).
 */
import { LinearClassifier, type LinearClassifierOptions } from "./linear.js";
import { NbSvm, type NbSvmOptions } from "./nbsvm.js";
import { NgramVectorizer, type NgramVectorizerOptions } from "./ngram-vectorizer.js";

export type BaselineKind = "tfidf-lr" | "nbsvm";

export interface TextBaselineOptions {
  vectorizer?: NgramVectorizerOptions;
  /** LinearClassifierOptions for "tfidf-lr", NbSvmOptions for "nbsvm". */
  classifier?: LinearClassifierOptions & NbSvmOptions;
}

export class TextBaseline {
  readonly vectorizer: NgramVectorizer;
  readonly classifier: LinearClassifier | NbSvm;

  constructor(
    readonly kind: BaselineKind,
    opts: TextBaselineOptions = {},
  ) {
    if (kind === "tfidf-lr") {
      this.vectorizer = new NgramVectorizer({ minDf: 2, ...opts.vectorizer });
      this.classifier = new LinearClassifier({ C: 3, ...opts.classifier });
    } else if (kind === "nbsvm") {
      this.vectorizer = new NgramVectorizer({ minDf: 2, ...opts.vectorizer, weighting: "binary" });
      this.classifier = new NbSvm({ ...opts.classifier });
    } else throw new RangeError(`TextBaseline: unknown kind ${JSON.stringify(kind)} (expected "tfidf-lr" or "nbsvm")`);
  }

  /** Fit the vectorizer and the classifier on training documents (class ids in y). */
  fit(docs: readonly (readonly string[])[], y: Int32Array, nClasses?: number): this {
    this.classifier.fit(this.vectorizer.fitTransform(docs), y, nClasses);
    return this;
  }

  /** Scores [N, P]: P = 1 for binary (> 0 means class 1), P = K otherwise. */
  decisionFunction(docs: readonly (readonly string[])[]): Float32Array {
    return this.classifier.decisionFunction(this.vectorizer.transform(docs));
  }

  predict(docs: readonly (readonly string[])[]): Int32Array {
    return this.classifier.predict(this.vectorizer.transform(docs));
  }
}
