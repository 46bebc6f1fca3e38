// node --test bench/: which phases the peers flags leave on (bench/peers-phase.mjs peerOptions).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { peerOptions } from './peers-phase.mjs';

const ALL_ON = { ext: true, caps: true, popup: true, prompt: true, flood: true };

test('peerOptions: the peers flags against the other phases', () => {
  const off = { ext: false, caps: false, popup: false, prompt: false, flood: false };
  const cases = [
    ['no flag: every phase, peers last', [], { ...ALL_ON, peers: true }],
    ['--peers-only: only the peers', ['--peers-only'], { ...off, peers: true }],
    ['--no-peers: the others only', ['--no-peers'], { ...ALL_ON, peers: false }],
    ['another phase alone: no peers', ['--flood-only'], { ...ALL_ON, peers: false }],
    ['--ext-only: no peers', ['--ext-only'], { ...ALL_ON, peers: false }],
    ['--caps-only: no peers', ['--caps-only'], { ...ALL_ON, peers: false }],
  ];
  for (const [name, argv, want] of cases) {
    const got = peerOptions(argv, { ...ALL_ON, quick: false });
    for (const [k, v] of Object.entries(want)) assert.equal(got[k], v, `${name}: ${k}`);
  }
});

test('peerOptions: --quick keeps 3 interleaved rounds and takes fewer samples', () => {
  const quick = peerOptions(['--quick'], { quick: true });
  const full = peerOptions([], { quick: false });
  assert.equal(quick.peerRounds, 3);
  assert.ok(full.peerRounds >= 3);
  for (const k of ['seq', 'c50', 'c200']) assert.ok(quick.peerSamples[k] >= 1 && quick.peerSamples[k] <= full.peerSamples[k], k);
});
