/**
 * Writers for word2vec text (header `count dim`, then `word v1 … vD` per line; readable by gensim's
 * KeyedVectors.load_word2vec_format and fastText tools) and word2vec binary. Values are written
 * with the fewest significant digits that read back to the same float32.
 */
import { open } from "node:fs/promises";
import type { WordVectors } from "./word-vectors.js";

/** Shortest decimal string that parses back to the same float32 value. */
export function formatFloat32(x: number): string {
  if (x === 0) return "0";
  for (let p = 6; p < 9; p++) {
    const s = x.toPrecision(p);
    if (Math.fround(Number(s)) === x) return String(Number(s));
  }
  return String(Number(x.toPrecision(9)));
}

function checkWord(w: string, i: number): void {
  if (w === "" || /[\s]/.test(w)) throw new RangeError(`word2vec format: word ${i} ${JSON.stringify(w)} is empty or contains whitespace, which the format cannot represent`);
}

/** Write word2vec text format, streaming in ~1 MB chunks. */
export async function writeWord2VecText(path: string, wv: WordVectors): Promise<void> {
  const fh = await open(path, "w");
  try {
    const D = wv.dim;
    let chunk = `${wv.size} ${D}\n`;
    for (let r = 0; r < wv.size; r++) {
      const w = wv.words[r]!;
      checkWord(w, r);
      const parts = new Array<string>(D + 1);
      parts[0] = w;
      for (let d = 0; d < D; d++) parts[d + 1] = formatFloat32(wv.vectors[r * D + d]!);
      chunk += parts.join(" ") + "\n";
      if (chunk.length > 1 << 20) {
        await fh.write(chunk);
        chunk = "";
      }
    }
    await fh.write(chunk);
  } finally {
    await fh.close();
  }
}

/** Write word2vec binary format (header, then per row: word, space, D float32 LE, newline). */
export async function writeWord2VecBinary(path: string, wv: WordVectors): Promise<void> {
  const fh = await open(path, "w");
  try {
    const D = wv.dim;
    await fh.write(`${wv.size} ${D}\n`);
    const parts: Buffer[] = [];
    let size = 0;
    for (let r = 0; r < wv.size; r++) {
      const w = wv.words[r]!;
      checkWord(w, r);
      const wb = Buffer.from(w + " ", "utf8");
      const vb = Buffer.alloc(4 * D + 1);
      for (let d = 0; d < D; d++) vb.writeFloatLE(wv.vectors[r * D + d]!, 4 * d);
      vb[4 * D] = 10;
      parts.push(wb, vb);
      size += wb.length + vb.length;
      if (size > 1 << 20) {
        await fh.write(Buffer.concat(parts));
        parts.length = 0;
        size = 0;
      }
    }
    await fh.write(Buffer.concat(parts));
  } finally {
    await fh.close();
  }
}
