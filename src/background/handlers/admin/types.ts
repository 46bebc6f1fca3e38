import type { AdminResults } from '../../../shared/adminResults.ts';
import type { AdminMethod, AdminParams } from '../../../shared/protocol.ts';
import type { BackgroundContext } from '../../context.ts';

/** The route table's type: one handler per admin method, taking its schema's params and answering its result type. */
export type AdminHandlers = {
  [M in AdminMethod]: (ctx: BackgroundContext, params: AdminParams<M>) => Promise<AdminResults[M]>;
};
