// Malformed admin calls are refused with invalid_request and change nothing; refusals never echo a secret.
import { describe, expect, it, vi } from 'vitest';
import { generateSecretKey } from 'nostr-tools/pure';
import * as nip19 from 'nostr-tools/nip19';
import * as nip49 from 'nostr-tools/nip49';
import { bytesToHex } from 'nostr-tools/utils';
import { code, EXT_SENDER, PW, SITE, snap, withAccount } from '../test/background.ts';

// Many tests drive dozens of IndexedDB transactions: leave room for a loaded CI machine.
vi.setConfig({ testTimeout: 20_000 });

describe('bad admin params → invalid_request and nothing changes', () => {
  const bad: [string, unknown][] = [
    ['grant', { origin: 'null', rules: [] }],
    ['grant', { origin: 'https://site.example/', rules: [] }],
    ['grant', { origin: 'ftp://site.example', rules: [] }],
    ['grant', { origin: 'site.example', rules: [] }],
    ['grant', { origin: SITE }],
    ['grant', { origin: SITE, rules: 'all' }],
    ['grant', { origin: SITE, rules: [{ method: 'sign_everything' }] }],
    ['grant', { origin: SITE, rules: [{ method: 'sign_event', kind: -1 }] }],
    ['grant', { origin: SITE, rules: [{ method: 'sign_event', kind: 70_000 }] }],
    ['grant', { origin: SITE, rules: [{ method: 'sign_event', kind: 1.5 }] }],
    ['grant', { origin: SITE, rules: [{ method: 'sign_event', maxUsageCount: 0 }] }],
    ['grant', { origin: SITE, rules: [{ method: 'sign_event', windowSeconds: 1.5 }] }],
    ['grant', { origin: SITE, rules: [{ method: 'sign_event', windowSeconds: '3600' }] }],
    ['grant', { origin: SITE, rules: [{ method: 'sign_event', extra: true }] }],
    ['grant', { origin: SITE, rules: [], expiresAt: -1 }],
    ['grant', { origin: SITE, rules: [], expiresAt: '2030-01-01' }],
    ['grant', { origin: SITE, rules: [], onCapReached: 'allow' }],
    ['grant', { origin: SITE, rules: [], accountId: 0 }],
    ['grant', { origin: SITE, rules: [], sessionId: 'x' }],
    ['grant', { origin: SITE, rules: Array.from({ length: 201 }, () => ({ method: 'sign_event' })) }],
    ['add_policy_rule', { grantId: '1', method: 'sign_event' }],
    ['add_policy_rule', { grantId: 1, method: 'sign_event', kind: 'one' }],
    ['add_policy_rule', { grantId: 1 }],
    ['update_policy_rule', { ruleId: -1 }],
    ['update_policy_rule', { ruleId: 1, maxUsageCount: -3 }],
    ['update_policy_rule', { ruleId: 1, method: 'drop' }],
    ['delete_policy_rule', {}],
    ['revoke_grant', { grantId: null }],
    ['set_override', { origin: SITE, method: 'sign_event', effect: 'maybe' }],
    ['set_override', { origin: 'null', method: 'sign_event', effect: 'allow' }],
    ['set_override', { origin: SITE, method: 'sign_event', effect: 'allow', accountId: 2 }],
    ['revoke_override', { overrideId: 1.2 }],
    ['get_signing_log', {}],
    ['get_signing_log', { limit: 0 }],
    ['get_signing_log', { limit: 1_001 }],
    ['get_signing_log', { limit: 10, before: 'cursor' }],
    ['get_activity', { limit: 10, origin: 'null' }],
    ['resolve_prompt', { promptId: 'x', decision: 'yes' }],
    ['resolve_prompt', { promptId: '', decision: 'allow' }],
    ['resolve_prompt', { promptId: 'x', decision: 'allow', scope: 'forever' }],
    ['resolve_prompt', { promptId: 'x', decision: 'allow', durationSeconds: 0 }],
    ['resolve_prompt', { promptId: 'x', decision: 'allow', cap: { maxUsageCount: 1 } }],
    ['create_account', { password: '' }],
    ['create_account', { password: 'seven77' }],
    ['import_account', { secret: 'nsec1qqqq', password: 'short' }],
    ['restore_apply', { backup: '{}', password: 'short' }],
    ['create_account', { password: 'x'.repeat(1_025) }],
    ['create_account', { password: PW, label: 'x'.repeat(101) }],
    ['import_account', { secret: '', password: PW }],
    ['import_account', { secret: 'nsec1qqqq', password: PW }],
    ['import_account', { secret: 'z'.repeat(64), password: PW }],
    ['select_account', { accountId: 'first' }],
    ['export_account', { accountId: 1 }],
    ['unlock', {}],
    ['lock', { now: true }],
    ['get_status', { verbose: true }],
    ['set_settings', { autoLockMinutes: -1 }],
    ['set_settings', { sensitiveKinds: ['0'] }],
    ['set_settings', { relays: { 'wss://r': { read: 'yes', write: true } } }],
    ['get_policies', { origin: 'https://site.example/path' }],
    ['drop_database', {}],
    ['__proto__', {}],
    ['constructor', {}],
    ['toString', {}],
    ['grant', 42],
    ['grant', 'params'],
    ['grant', [SITE]],
  ];

  it('every one of them', async () => {
    const h = await withAccount();
    const { grantId } = await h.ok('grant', { origin: SITE, rules: [{ method: 'sign_event', maxUsageCount: 5 }] });
    await h.ok('set_override', { origin: SITE, method: 'nip04_decrypt', effect: 'deny' });
    expect(grantId).toBe(1);
    const before = await snap(h);
    const status = await h.ok('get_status');
    for (const [method, params] of bad) {
      const r = await h.admin(method, params);
      expect(code(r), `${method} ${JSON.stringify(params)?.slice(0, 80)}`).toBe('invalid_request');
      if (!r.ok) expect(r.error.message.length).toBeGreaterThan(0);
    }
    expect(await snap(h)).toEqual(before);
    expect(await h.ok('get_status')).toEqual(status);
  });

  it('a malformed envelope is invalid_request', async () => {
    const h = await withAccount();
    for (const message of [{ type: 'admin' }, { type: 'admin', method: 5 }, { type: 'admin', method: 'get_status', params: {}, extra: 1 }]) {
      expect(code(await h.route(message, EXT_SENDER))).toBe('invalid_request');
    }
    for (const message of [null, undefined, 'admin', 42, [], { type: 'other' }, { method: 'get_status' }]) {
      expect(code(await h.route(message, EXT_SENDER))).toBe('invalid_request');
    }
  });
});

describe('secrets never come back in a response', () => {
  it('import_account refusals do not echo the secret', async () => {
    const h = await withAccount();
    const sk = generateSecretKey();
    const hex = bytesToHex(sk);
    const nsec = nip19.nsecEncode(sk);
    const secrets = [hex, nsec, `${nsec.slice(0, -1)}${nsec.endsWith('q') ? 'p' : 'q'}`, '0'.repeat(64), hex.slice(2), `ncryptsec1${hex}`, nip49.encrypt(sk, 'other password', 8)];
    for (const secret of secrets) {
      const r = await h.admin('import_account', { secret, password: 'not the vault password' });
      expect(r.ok).toBe(false);
      const text = JSON.stringify(r);
      expect(text).not.toContain(secret);
      expect(text).not.toContain(hex);
      expect(text).not.toContain(nsec);
    }
    expect((await h.ok('list_accounts')).accounts).toHaveLength(1);
  });
});
