import { describe, expect, it } from 'vitest';
import { countHidden, revealHidden, tagSummary } from './visible.ts';

describe('revealHidden', () => {
  it.each([
    ['plain text stays one run', 'hello', [{ text: 'hello', hidden: false }]],
    ['right-to-left override is shown', 'pay\u202Eevil', [{ text: 'pay', hidden: false }, { text: '⟨U+202E⟩', hidden: true }, { text: 'evil', hidden: false }]],
    ['zero-width space at the start', '\u200Bx', [{ text: '⟨U+200B⟩', hidden: true }, { text: 'x', hidden: false }]],
    ['BOM and isolates', '\uFEFF\u2066a\u2069', [{ text: '⟨U+FEFF⟩', hidden: true }, { text: '⟨U+2066⟩', hidden: true }, { text: 'a', hidden: false }, { text: '⟨U+2069⟩', hidden: true }]],
    ['emoji and accents are not hidden', 'café ⚡', [{ text: 'café ⚡', hidden: false }]],
  ])('%s', (_name, input, expected) => {
    expect(revealHidden(input)).toEqual(expected);
  });

  it('counts hidden characters', () => {
    expect(countHidden('a\u200Bb\u202Ec')).toBe(2);
    expect(countHidden('plain')).toBe(0);
  });
});

describe('tagSummary', () => {
  it.each([
    [[], 'no tags'],
    [[['p', 'x'], ['e', 'y'], ['p', 'z']], 'p ×2 · e ×1'],
    [[[]], '? ×1'],
  ])('%j → %s', (tags, summary) => {
    expect(tagSummary(tags)).toBe(summary);
  });
});
