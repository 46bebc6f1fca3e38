import type { AdminMethod, AdminParams } from '../../../shared/protocol.ts';
import type { BackgroundContext } from '../../context.ts';

/** The route table's type, derived from the protocol schemas: one handler per admin method. */
export type AdminHandlers = {
  [M in AdminMethod]: (ctx: BackgroundContext, params: AdminParams<M>) => Promise<unknown>;
};
