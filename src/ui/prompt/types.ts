import { npubEncode } from 'nostr-tools/nip19';
import { METHOD_TABLE, type Method } from '../../shared/methods.ts';
import { shortNpub } from '../manage/format.ts';

export type { PromptView } from '../../shared/adminResults.ts';
import type { PromptView } from '../../shared/adminResults.ts';

/** The sentence after "wants to". */
export function methodText(method: Method): string {
  return METHOD_TABLE[method].prompt;
}

/** "37 decrypts", "3 signatures of kind 7", "4 direct messages from npub1…": how a collapsed group reads. */
export function groupNoun(p: Pick<PromptView, 'method' | 'kind' | 'details'>, n: number): string {
  if (p.details.type === 'peer' && p.details.dm) return `${n} direct message${n === 1 ? '' : 's'} from ${shortNpub(npubEncode(p.details.dm.sender))}`;
  const [one, many] = METHOD_TABLE[p.method].noun;
  return `${n} ${n === 1 ? one : many}${p.kind !== null ? ` of kind ${p.kind}` : ''}`;
}
