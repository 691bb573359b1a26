/**
 * Negation pairs: extra training examples that teach a binary sentiment classifier what "not"
 * does to the opinion word it stands before.
 *
 * Why: in IMDB reviews negated opinions are rare and skewed — "not bad" stands in 90 negative and
 * 63 positive training reviews (faint praise in a pan), "not bad at all" in 13 in all — so a
 * classifier learns "bad" as negative whatever precedes it and reads "The movie was not bad at
 * all." as negative. Here every training sentence with exactly one opinion word (adjective or
 * verb of the lists below), no negator, and that word in a construction English negates with
 * one "not" gives a minimal pair:
 *
 *   "the acting was awful ."      → label negative (the opinion word's polarity)
 *   "the acting was not awful ."  → label positive (negation flips it)
 *   "i loved the ending ."        → positive;  "i did not love the ending ." → negative
 *
 * Only the word lists and the construction rules are linguistic; nothing was fitted to data. Two
 * rule sets (`NegationRules`): "copula" (the default, the shipped model's) negates only a copula
 * before an opinion adjective; "extended" also negates degree adverbs, articles, opinion verbs and
 * modals (`NegationForm`). The extended constructions were added after reading which sentences of
 * the minimal-pair probe (test/fixtures/probes) the copula-trained model still misread ("I did not
 * like this film."), so the probe's figures for them are not independent of these rules. The
 * sentences come from the training texts only (never validation or test), are drawn with a seeded
 * generator, half from positive and half from negative opinion words (the class prior stays), and
 * are the same in every epoch.
 */
import { Generator } from "../../tensor/random.js";

/** Common evaluative adjectives of reviews, positive. */
export const POSITIVE_ADJECTIVES: readonly string[] = [
  "good", "great", "excellent", "wonderful", "amazing", "brilliant", "enjoyable", "entertaining", "fun", "funny",
  "interesting", "exciting", "beautiful", "impressive", "clever", "charming", "delightful", "superb", "fantastic",
  "terrific", "outstanding", "engaging", "gripping", "touching", "compelling", "fascinating", "memorable", "solid",
  "smart", "perfect", "nice", "pleasant", "likable", "believable", "original", "watchable", "worthwhile", "strong",
];

/** Common evaluative adjectives of reviews, negative. */
export const NEGATIVE_ADJECTIVES: readonly string[] = [
  "bad", "terrible", "awful", "horrible", "boring", "dull", "poor", "weak", "stupid", "annoying", "pointless",
  "predictable", "disappointing", "mediocre", "lame", "silly", "tedious", "bland", "forgettable", "unwatchable",
  "painful", "dreadful", "atrocious", "ridiculous", "pathetic", "laughable", "unfunny", "uninteresting", "slow",
  "confusing", "pretentious", "cheap", "awkward", "unbearable", "unconvincing", "flat", "dumb", "worse",
];

/** Participles used as predicate adjectives ("i was impressed"); extended rules only. */
export const POSITIVE_PARTICIPLES: readonly string[] = ["impressed", "entertained", "moved", "captivated", "hooked", "amused", "thrilled"];
export const NEGATIVE_PARTICIPLES: readonly string[] = ["disappointed", "bored", "annoyed", "frustrated", "underwhelmed"];

/**
 * Opinion verbs, base form → polarity, with their past forms. Negating one needs "do"-support
 * ("i liked it" → "i did not like it"), which is why the verb rule knows both forms.
 */
export const POSITIVE_VERBS: readonly (readonly [base: string, past: string])[] = [
  ["like", "liked"], ["love", "loved"], ["enjoy", "enjoyed"], ["adore", "adored"], ["admire", "admired"],
  ["appreciate", "appreciated"], ["recommend", "recommended"],
];
export const NEGATIVE_VERBS: readonly (readonly [base: string, past: string])[] = [
  ["hate", "hated"], ["dislike", "disliked"], ["despise", "despised"], ["loathe", "loathed"], ["regret", "regretted"],
];

/** Forms of "be" and linking verbs after which the adjective is the sentence's predicate. */
const COPULAS = new Set(["is", "was", "are", "were", "be", "been", "seems", "seemed", "looks", "looked", "feels", "felt", "remains", "remained"]);
/** The same with the contractions the tokenizer keeps whole ("it's"); extended rules only. */
const COPULAS_EXTENDED = new Set([...COPULAS, "it's", "that's", "he's", "she's", "i'm", "they're", "we're", "you're"]);
/** Degree adverbs between a copula and its adjective: "was very good" → "was not very good". */
const DEGREE = new Set(["very", "really", "particularly", "especially"]); // not "so": "so bad that …" changes meaning under "not"
/** Adverbs between a subject and its opinion verb: "i really liked" → "i did not really like". */
const VERB_ADVERBS = new Set(["really", "truly", "genuinely", "thoroughly"]);
/** Subjects of an opinion verb: the reviewer speaking (plus the reader, after a modal). */
const SUBJECTS = new Set(["i", "we"]);
const MODALS = new Set(["would", "will", "can", "could", "should"]);
const MODAL_SUBJECTS = new Set(["i", "we", "you"]);
/** Contracted subject + modal: "i'd recommend" → "i'd not recommend". */
const SUBJECT_MODALS = new Set(["i'd", "we'd", "you'd", "i'll", "we'll", "you'll"]);

/** Words that already negate: a sentence holding one is not used (no double negation). */
const NEGATORS = new Set(["not", "no", "never", "nothing", "nobody", "none", "neither", "nor", "hardly", "barely", "scarcely", "without", "cannot", "n't"]);
const isNegator = (w: string): boolean => NEGATORS.has(w) || w.endsWith("n't") || w.endsWith("n’t");

/** A sentence ends at one of these tokens. */
const isSentenceEnd = (w: string): boolean => /^[.!?]+$/.test(w);

/**
 * The constructions negated (each with its rewrite):
 * - `copula`:  "the plot was dull"          → "the plot was not dull"
 * - `degree`:  "the plot was very dull"     → "the plot was not very dull"
 *   (after a bare "be" / "been" the "not" goes before it: "it would be dull" → "it would not be dull")
 * - `article`: "it is a (very) dull film"   → "it is not a (very) dull film"
 * - `verb`:    "i (really) liked it"        → "i did not (really) like it"; "i love it" → "i do not love it"
 * - `modal`:   "i would recommend it"       → "i would not recommend it"; "i'd recommend it" → "i'd not recommend it"
 *
 * The `"copula"` rule set (the default, the shipped model's) has the first form only, with the 76
 * adjectives, the uncontracted copulas, and "not" always after the copula ("it would be not bad").
 * The `"extended"` set has all five, the participles and contracted copulas ("it's"), and puts
 * "not" before a bare "be"/"been".
 */
export type NegationForm = "copula" | "degree" | "article" | "verb" | "modal";
export const NEGATION_FORMS: readonly NegationForm[] = ["copula", "degree", "article", "verb", "modal"];
export type NegationRules = "copula" | "extended";
export const NEGATION_RULES: readonly NegationRules[] = ["copula", "extended"];

export interface NegationPairsOptions {
  /** Minimal pairs to make (each gives two examples); half from positive, half from negative opinion words. */
  pairs: number;
  /** Seed of the draw. */
  seed: number;
  /** Longest sentence used, in tokens (default 30). */
  maxLen?: number;
  /** Which constructions are negated (default "copula"; see `NegationForm`). */
  rules?: NegationRules;
}

export interface NegationPairs {
  /** Token sequences: original, negated, original, negated, … */
  tokens: string[][];
  /** 1 where the example is positive, 0 where negative (same order as tokens). */
  positive: Uint8Array;
  /** The construction of each pair (one per pair, in order). */
  forms: NegationForm[];
  /** Sentences that qualified, by the polarity of their opinion word (before the draw). */
  candidates: { positive: number; negative: number };
  /** Sentences that qualified, by construction (before the draw). */
  candidatesByForm: Record<NegationForm, number>;
}

type Word = { kind: "adj"; pol: 0 | 1 } | { kind: "verb"; pol: 0 | 1; base: string; past: boolean };

/** The opinion words of a rule set: a sentence qualifies only with exactly one of them. */
function lexicon(rules: NegationRules): Map<string, Word> {
  const m = new Map<string, Word>();
  for (const w of POSITIVE_ADJECTIVES) m.set(w, { kind: "adj", pol: 1 });
  for (const w of NEGATIVE_ADJECTIVES) m.set(w, { kind: "adj", pol: 0 });
  if (rules === "copula") return m;
  for (const w of POSITIVE_PARTICIPLES) m.set(w, { kind: "adj", pol: 1 });
  for (const w of NEGATIVE_PARTICIPLES) m.set(w, { kind: "adj", pol: 0 });
  for (const [verbs, pol] of [[POSITIVE_VERBS, 1], [NEGATIVE_VERBS, 0]] as const) {
    for (const [base, past] of verbs) {
      m.set(base, { kind: "verb", pol, base, past: false });
      m.set(past, { kind: "verb", pol, base, past: true });
    }
  }
  return m;
}

/**
 * The negated sentence and its construction, or null when the opinion word at t stands in none of
 * the constructions above (e.g. "a good film", "the boring parts", "they loved it").
 */
function negate(s: readonly string[], t: number, w: Word, rules: NegationRules): { out: string[]; form: NegationForm } | null {
  const at = (i: number): string => (i >= 0 ? s[i]! : "");
  const insertAt = (i: number, form: NegationForm) => ({ out: [...s.slice(0, i), "not", ...s.slice(i)], form });
  if (rules === "copula") return COPULAS.has(at(t - 1)) ? insertAt(t, "copula") : null;
  const copulas = COPULAS_EXTENDED;
  if (w.kind === "adj") {
    // the copula's index c: "not" goes after it ("was not bad"), or before a bare "be"/"been" ("would not
    // be bad", "has not been bad"); "to be bad" is left alone ("not to be bad" says something else)
    const afterCopula = (c: number, form: NegationForm) => {
      const cop = at(c);
      if (cop !== "be" && cop !== "been") return insertAt(c + 1, form);
      return at(c - 1) === "to" ? null : insertAt(c, form);
    };
    if (copulas.has(at(t - 1))) return afterCopula(t - 1, "copula");
    if (DEGREE.has(at(t - 1)) && copulas.has(at(t - 2))) return afterCopula(t - 2, "degree");
    const article = (w: string): boolean => w === "a" || w === "an";
    if (at(t + 1) === "lot") return null; // "an awful lot of …" is a quantity, not an opinion
    if (article(at(t - 1)) && copulas.has(at(t - 2))) return afterCopula(t - 2, "article");
    if (DEGREE.has(at(t - 1)) && article(at(t - 2)) && copulas.has(at(t - 3))) return afterCopula(t - 3, "article");
    return null;
  }
  // "i would love to …", "i hate to say …": the verb is not the opinion
  if (at(t + 1) === "to") return null;
  const doNot = w.past ? "did" : "do";
  if (SUBJECTS.has(at(t - 1))) return { out: [...s.slice(0, t), doNot, "not", w.base, ...s.slice(t + 1)], form: "verb" };
  if (VERB_ADVERBS.has(at(t - 1)) && SUBJECTS.has(at(t - 2)))
    return { out: [...s.slice(0, t - 1), doNot, "not", at(t - 1), w.base, ...s.slice(t + 1)], form: "verb" };
  if (!w.past && ((MODALS.has(at(t - 1)) && MODAL_SUBJECTS.has(at(t - 2))) || SUBJECT_MODALS.has(at(t - 1)))) return insertAt(t, "modal");
  return null;
}

/**
 * Minimal negation pairs from tokenised training texts (lower-cased tokens, punctuation as its own
 * tokens: `tokenizeAll`'s output). A sentence qualifies when it holds exactly one opinion word of
 * the rule set (adjectives; with "extended" also participles and verbs), no negator, and the word
 * stands in one of the rule set's `NegationForm` constructions. Throws when `pairs` is not a
 * positive integer or `rules` is unknown.
 */
export function negationPairs(texts: readonly (readonly string[])[], o: NegationPairsOptions): NegationPairs {
  if (!(Number.isInteger(o.pairs) && o.pairs > 0)) throw new RangeError(`negationPairs: pairs must be a positive integer, got ${o.pairs} (hint: 4000)`);
  const maxLen = o.maxLen ?? 30;
  const rules = o.rules ?? "copula";
  if (!NEGATION_RULES.includes(rules)) throw new RangeError(`negationPairs: rules must be one of ${NEGATION_RULES.join(", ")}, got ${JSON.stringify(rules)}`);
  const lex = lexicon(rules);
  const byForm = Object.fromEntries(NEGATION_FORMS.map((f) => [f, 0])) as Record<NegationForm, number>;
  // candidates as [sentence tokens, negated tokens, construction], by polarity
  const found: [string[], string[], NegationForm][][] = [[], []];
  for (const toks of texts) {
    let start = 0;
    for (let i = 0; i <= toks.length; i++) {
      if (i < toks.length && !isSentenceEnd(toks[i]!)) continue;
      const s = toks.slice(start, Math.min(i + 1, toks.length));
      start = i + 1;
      if (s.length < 3 || s.length > maxLen) continue;
      let at = -1;
      let ok = true;
      for (let t = 0; t < s.length && ok; t++) {
        const w = s[t]!;
        if (isNegator(w)) ok = false;
        else if (lex.has(w)) {
          if (at >= 0) ok = false; // one opinion word: with two, "not" before one leaves the other's opinion
          else at = t;
        }
      }
      if (!ok || at < 0) continue;
      const w = lex.get(s[at]!)!;
      const neg = negate(s, at, w, rules);
      if (!neg) continue;
      found[w.pol]!.push([s, neg.out, neg.form]);
      byForm[neg.form]++;
    }
  }
  const g = new Generator(o.seed);
  const tokens: string[][] = [];
  const positive: number[] = [];
  const forms: NegationForm[] = [];
  // half the pairs from each polarity (an odd pair goes to the negative side); fewer if fewer qualified
  const want = [Math.ceil(o.pairs / 2), Math.floor(o.pairs / 2)];
  for (const pol of [0, 1] as const) {
    const pool = found[pol]!;
    // partial Fisher–Yates: the first k of a seeded shuffle
    const k = Math.min(want[pol]!, pool.length);
    for (let i = 0; i < k; i++) {
      const j = i + Math.floor(g.random() * (pool.length - i));
      [pool[i], pool[j]] = [pool[j]!, pool[i]!];
      const [s, negated, form] = pool[i]!;
      tokens.push(s, negated);
      positive.push(pol, 1 - pol);
      forms.push(form);
    }
  }
  return { tokens, positive: Uint8Array.from(positive), forms, candidates: { positive: found[1]!.length, negative: found[0]!.length }, candidatesByForm: byForm };
}

/**
 * Which of a binary label set is positive: "pos"/"positive"/"1" against "neg"/"negative"/"0"
 * (any case); throws otherwise, naming the labels.
 */
export function positiveLabelIndex(labels: readonly string[], where: string): number {
  const pos = labels.findIndex((l) => /^(pos|positive|1)$/i.test(l));
  const neg = labels.findIndex((l) => /^(neg|negative|0)$/i.test(l));
  if (labels.length !== 2 || pos < 0 || neg < 0) throw new Error(`${where}: negation pairs need two labels, one positive and one negative ("pos"/"neg", "positive"/"negative" or "1"/"0"), got ${JSON.stringify(labels)}`);
  return pos;
}
