import type { Account } from '../policy/records.ts';
import type { WardenDb } from './schema.ts';

export function listAccounts(db: WardenDb): Promise<Account[]> {
  return db.accounts.orderBy('id').toArray();
}

export async function addAccount(db: WardenDb, row: Omit<Account, 'id'>): Promise<number> {
  return (await db.accounts.add(row as Account)) as number;
}
