// docs/testids.md is the list outside tests select by: every literal testid in the pages must be
// in it. (Ids built at run time from a prefix, e.g. `prompt-preset-${id}`, are listed there by
// their pattern and not checked here.)
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return /\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name) ? [path] : [];
  });
}

/** The ids a table row names: `a-b-c`, and `-d` short for `a-b-d`. */
function documentedIds(markdown: string): Set<string> {
  const known = new Set<string>();
  for (const line of markdown.split('\n')) {
    if (!line.startsWith('|')) continue;
    let base = '';
    for (const [, token] of line.split('|')[1]!.matchAll(/`([^`]*)`/g)) {
      if (token!.startsWith('-') && base) known.add(base + token!.slice(1));
      else if (/^[a-z0-9-]+$/.test(token!)) {
        known.add(token!);
        base = token!.slice(0, token!.lastIndexOf('-') + 1);
      }
    }
  }
  return known;
}

describe('docs/testids.md', () => {
  it('reads the short form of a row', () => {
    expect([...documentedIds('| `options-tab-sites`, `-log` | tabs |\n| `x` | y |')]).toEqual(['options-tab-sites', 'options-tab-log', 'x']);
  });

  it('lists every literal testid of the pages', () => {
    const known = documentedIds(readFileSync(join(ROOT, 'docs/testids.md'), 'utf8'));
    const used = new Set(sources(join(ROOT, 'src/ui')).flatMap((f) => [...readFileSync(f, 'utf8').matchAll(/(?:data-testid|testid|testId)="([a-z0-9-]+)"/g)].map((m) => m[1]!)));
    expect(used.size).toBeGreaterThan(50);
    expect([...used].filter((id) => !known.has(id)).sort()).toEqual([]);
  });
});
