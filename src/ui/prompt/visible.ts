// Text from a site is shown as text, with the characters that hide or reorder it made visible.

/** Bidi controls, zero-width and other invisible characters that can disguise what is signed. */
const HIDDEN = /[\u00ad\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0]/g;

export interface Segment {
  text: string;
  hidden: boolean;
}

/** Splits text into plain runs and visible markers such as ⟨U+202E⟩ for each hidden character. */
export function revealHidden(text: string): Segment[] {
  const out: Segment[] = [];
  let last = 0;
  for (const m of text.matchAll(HIDDEN)) {
    if (m.index > last) out.push({ text: text.slice(last, m.index), hidden: false });
    out.push({ text: `⟨U+${m[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}⟩`, hidden: true });
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push({ text: text.slice(last), hidden: false });
  return out;
}

export function countHidden(text: string): number {
  return [...text.matchAll(HIDDEN)].length;
}

/** "p ×3 · e ×1 · t ×2": what the tags reference, at a glance. */
export function tagSummary(tags: string[][]): string {
  const counts = new Map<string, number>();
  for (const t of tags) counts.set(t[0] ?? '?', (counts.get(t[0] ?? '?') ?? 0) + 1);
  return [...counts].map(([name, n]) => `${name} ×${n}`).join(' · ') || 'no tags';
}
