// Backup and restore: one file with the keys (as stored, NIP-49) and the live policy; a restore
// merges, lists every change first, and never loosens what the user did not accept.
import { getPublicKey } from 'nostr-tools/pure';
import { fail } from '../../../shared/errors.ts';
import { decryptNcryptsec } from '../../../vault/keys.ts';
import { buildBackup, parseBackup, type Backup } from '../../../db/backupFile.ts';
import { applyPlan, planRestore, quoted } from '../../../db/restorePlan.ts';
import type { BackgroundContext } from '../../context.ts';
import type { AdminHandlers } from './types.ts';

function backupOf(text: string): Backup {
  const parsed = parseBackup(text);
  if (!parsed.ok) throw fail('invalid_request', `backup: ${parsed.error}`);
  return parsed.backup;
}

/**
 * Keys and policy as one step: the keys are added first (the vault encrypts them again where
 * their cost is low), then the policy in one transaction. Should anything after the first key
 * fail, the keys it added are removed again, and the account in use and the lock are as they
 * were: a failed restore changes nothing. Either way the account in use stays the same: a
 * restore never switches whose key signs.
 */
async function withKeysUndone<T>(ctx: BackgroundContext, step: (keepActive: () => Promise<void>) => Promise<T>): Promise<T> {
  const had = new Set(ctx.vault.list().map((a) => a.id));
  const active = ctx.vault.status().account?.id;
  const wasLocked = ctx.vault.locked;
  const keepActive = async () => {
    if (active !== undefined && ctx.vault.has(active)) await ctx.vault.select(active);
  };
  try {
    const result = await step(keepActive);
    await keepActive();
    return result;
  } catch (err) {
    for (const a of ctx.vault.list()) if (!had.has(a.id)) await ctx.vault.remove(a.id);
    await keepActive();
    if (wasLocked && !ctx.vault.locked) await ctx.vault.lock();
    throw err;
  }
}

const policyTables = (ctx: BackgroundContext) => [ctx.db.accounts, ctx.db.grants, ctx.db.rules, ctx.db.overrides, ctx.db.settings];

export const backupHandlers = {
  backup_export: async (ctx, p) => {
    const first = ctx.vault.list()[0];
    // Proves the user knows the vault password (the file holds only ncryptsecs, but it is the whole policy).
    if (first) await ctx.vault.export(first.id, p.password);
    return { backup: JSON.stringify(await buildBackup(ctx.db, ctx.clock()), null, 1) };
  },
  restore_preview: async (ctx, p) => {
    const backup = backupOf(p.backup);
    return ctx.db.transaction('r', policyTables(ctx), async () => planRestore(ctx.db, backup, ctx.clock()));
  },
  restore_apply: async (ctx, p) => {
    const backup = backupOf(p.backup);
    const first = ctx.vault.list()[0];
    if (first) await ctx.vault.export(first.id, p.password); // the vault password, or `denied`
    const clock = ctx.clock();
    const before = await ctx.db.transaction('r', policyTables(ctx), async () => planRestore(ctx.db, backup, clock));
    if (p.planId !== undefined && p.planId !== before.planId) throw fail('invalid_request', 'The policy changed since the preview: preview the restore again');
    // Each key must be the key its pubkey names, under the given password: checked before any is added.
    const adds = before.changes.filter((c) => c.type === 'add_account');
    for (const c of adds) {
      const a = backup.accounts.find((x) => x.pubkey === c.pubkey)!;
      if (getPublicKey(decryptNcryptsec(a.ncryptsec, p.password)) !== a.pubkey) throw fail('invalid_request', `backup: the key of ${quoted(a.label)} does not match its pubkey`);
    }
    return withKeysUndone(ctx, async (keepActive) => {
      for (const c of adds) {
        const a = backup.accounts.find((x) => x.pubkey === c.pubkey)!;
        await ctx.vault.import(a.ncryptsec, p.password, a.label);
      }
      // Importing selects the new key; the one in use stays in use.
      await keepActive();
      const result = await ctx.db.transaction('rw', policyTables(ctx), async () => {
        const plan = await planRestore(ctx.db, backup, ctx.clock());
        if (plan.planId !== before.planId) throw fail('invalid_request', 'The policy changed during the restore: nothing was changed; try again');
        return applyPlan(ctx.db, plan, p.acceptLoosening === true, ctx.clock());
      });
      return { ...result, accountsAdded: adds.length };
    });
  },
} satisfies Partial<AdminHandlers>;
