/** Small DOM helpers shared by the views. */

/** The element with this id, typed; throws naming the id when the page lacks it. */
export function $<T extends HTMLElement = HTMLElement>(id: string): T {
  const e = document.getElementById(id);
  if (!e) throw new Error(`playground: no element #${id} in index.html`);
  return e as T;
}

/** Create an element with attributes, text or children. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: { class?: string; text?: string; title?: string; attrs?: Record<string, string> } = {}, children: (Node | string)[] = []): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (props.class) e.className = props.class;
  if (props.text !== undefined) e.textContent = props.text;
  if (props.title) e.title = props.title;
  for (const [k, v] of Object.entries(props.attrs ?? {})) e.setAttribute(k, v);
  e.append(...children);
  return e;
}

export const pct = (x: number, digits = 1): string => `${(100 * x).toFixed(digits)} %`;

/** Run `fn` at most once per `ms` after the last call (typing, sliders). */
export function debounce(fn: () => void, ms: number): () => void {
  let t: ReturnType<typeof setTimeout> | undefined;
  return () => {
    if (t !== undefined) clearTimeout(t);
    t = setTimeout(fn, ms);
  };
}

/** Show an error inside a view instead of failing silently. */
export function showError(where: HTMLElement, e: unknown): void {
  where.replaceChildren(el("p", { class: "error", text: e instanceof Error ? e.message : String(e) }));
}

/** Fetch a file next to the page as bytes, with an error that names it. */
export async function fetchBytes(path: string): Promise<Uint8Array> {
  const r = await fetch(path);
  if (!r.ok) throw new Error(`could not fetch ${path}: HTTP ${r.status} (hint: run \`npm run build\` so dist/playground/ holds it)`);
  return new Uint8Array(await r.arrayBuffer());
}

/** A colour for a value in [0, 1] (sequential: white → dark blue). */
export function seqColor(v: number): string {
  const t = Math.max(0, Math.min(1, v));
  const r = Math.round(247 - t * (247 - 8));
  const g = Math.round(251 - t * (251 - 48));
  const b = Math.round(255 - t * (255 - 107));
  return `rgb(${r},${g},${b})`;
}

/** A colour for a signed value, scaled by `max` (diverging: blue < 0 < red). */
export function divColor(v: number, max: number): string {
  const t = Math.max(-1, Math.min(1, max > 0 ? v / max : 0));
  if (t >= 0) return `rgb(${Math.round(255 - t * (255 - 178))},${Math.round(255 - t * (255 - 24))},${Math.round(255 - t * (255 - 43))})`;
  const u = -t;
  return `rgb(${Math.round(255 - u * (255 - 33))},${Math.round(255 - u * (255 - 102))},${Math.round(255 - u * (255 - 172))})`;
}

/** Whether text on this background should be white. */
export function darkBg(v: number): boolean {
  return v > 0.55;
}
