import { METHOD_TABLE, type Method } from '../../shared/methods.ts';

export type { PromptView } from '../../shared/adminResults.ts';
import type { PromptView } from '../../shared/adminResults.ts';

/** The sentence after "wants to". */
export function methodText(method: Method): string {
  return METHOD_TABLE[method].prompt;
}

/** "37 decrypts", "3 signatures of kind 7": how a collapsed group of requests reads. */
export function groupNoun(p: Pick<PromptView, 'method' | 'kind'>, n: number): string {
  const [one, many] = METHOD_TABLE[p.method].noun;
  return `${n} ${n === 1 ? one : many}${p.kind !== null ? ` of kind ${p.kind}` : ''}`;
}
