// Checking the signing log's hash chain, and the export that carries it.
import { verifyChain } from '../../../db/logVerify.ts';
import { exportPage } from '../../../db/logExport.ts';
import type { AdminHandlers } from './types.ts';

export const logChainHandlers = {
  verify_log: async (ctx) => {
    const result = await verifyChain(ctx.db);
    return { ...result, checkedAt: ctx.now() };
  },
  export_signing_log: async (ctx, p) => exportPage(ctx.db, p),
} satisfies Partial<AdminHandlers>;
