// The rules a new connect token can carry, as the Remote signing tab offers them: a few common
// shapes, each a plain list of rule inputs the background validates again.
import type { RuleInput } from '../../shared/protocol.ts';

export interface TokenChoice {
  pubkey: boolean;
  notes: boolean;
  /** Notes per hour; empty = uncapped. */
  notesPerHour: string;
  dms: boolean;
}

export function tokenRules(c: TokenChoice): RuleInput[] {
  const rules: RuleInput[] = [];
  if (c.pubkey) rules.push({ method: 'get_public_key' });
  if (c.notes) {
    const cap = c.notesPerHour.trim() === '' ? null : Number(c.notesPerHour);
    rules.push({ method: 'sign_event', kind: 1, ...(cap ? { maxUsageCount: cap, windowSeconds: 3600 } : {}) });
  }
  if (c.dms) rules.push({ method: 'nip44_encrypt' }, { method: 'nip44_decrypt' });
  return rules;
}

export const shortKey = (origin: string) => {
  const hex = origin.replace(/^nip46:/, '');
  return `${hex.slice(0, 8)}…${hex.slice(-6)}`;
};
