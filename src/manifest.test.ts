// The manifest each browser gets (manifest.config.ts): a content security policy for our pages
// that allows no remote or evaluated code, no plugins and no framing; no messages from web pages
// or other extensions; no unlimited storage (docs/THREATS.md #42, #34).
import { describe, expect, it } from 'vitest';
import { buildManifest, type Target } from '../manifest.config.ts';

type Built = Record<string, unknown> & {
  content_security_policy?: { extension_pages?: string };
  permissions?: string[];
  externally_connectable?: unknown;
};

const built = (target: Target) => buildManifest(target, '1.2.3') as unknown as Built;

/** "a b; c d" → { a: ['b'], c: ['d'] } */
function directives(policy: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const part of policy.split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) out[name.toLowerCase()] = values;
  }
  return out;
}

describe.each(['chrome', 'firefox'] as const)('the %s manifest', (target) => {
  const m = built(target);
  const csp = directives(m.content_security_policy?.extension_pages ?? '');

  it('declares a CSP for extension pages: scripts from the package only, no plugins, no framing, no <base>', () => {
    expect(csp['script-src']).toEqual(["'self'"]);
    expect(csp['object-src']).toEqual(["'none'"]);
    expect(csp['frame-ancestors']).toEqual(["'none'"]);
    expect(csp['base-uri']).toEqual(["'none'"]);
    expect(csp['form-action']).toEqual(["'none'"]);
  });

  it('allows no remote, inline or evaluated code in any directive', () => {
    for (const [name, values] of Object.entries(csp)) {
      for (const v of values) {
        expect(v, `${name} ${v}`).not.toMatch(/^(https?:|wss?:|\*|data:|blob:)|unsafe-(eval|inline|hashes)|wasm-unsafe-eval/);
      }
    }
    // Without a default-src, a directive left out falls back to nothing: the ones that load code
    // must all be present (worker-src falls back to script-src).
    expect(Object.keys(csp)).toEqual(expect.arrayContaining(['script-src', 'object-src']));
  });

  it('asks for no unlimited storage and exposes no page to the web', () => {
    expect(m.permissions ?? []).not.toContain('unlimitedStorage');
    expect(m.web_accessible_resources).toBeUndefined();
    expect(m.sandbox).toBeUndefined();
  });
});

describe('who may message the background', () => {
  it('Chromium: externally_connectable with no matches and no ids — no web page, no other extension', () => {
    expect(built('chrome').externally_connectable).toEqual({ matches: [] });
  });

  it('Firefox: the key is left out (Firefox does not know it; nothing outside can message us there)', () => {
    expect('externally_connectable' in built('firefox')).toBe(false);
  });
});
