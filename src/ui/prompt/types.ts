import { isMethod, METHOD_TABLE } from '../../shared/methods.ts';

/** A waiting request as the background's list_prompts shows it. */
export interface PromptView {
  promptId: string;
  origin: string;
  method: string;
  kind: number | null;
  kindName: string | null;
  sensitive: boolean;
  reason: string;
  topOrigin: string | null;
  need: 'unlock' | 'account' | null;
  /** Requests with the same `group` look the same; the same `siteGroup`, one site (set by the background). */
  group: string;
  siteGroup: string | null;
  firstContact: boolean;
  createdAt: number;
  details:
    | { type: 'event'; event: { kind: number; content: string; tags: string[][]; created_at: number; pubkey: string; id: string } }
    | { type: 'peer'; pubkey: string }
    | { type: 'none' };
}

/** The sentence after "wants to". */
export function methodText(method: string): string {
  return isMethod(method) ? METHOD_TABLE[method].prompt : method;
}

/** "37 decrypts", "3 signatures of kind 7": how a collapsed group of requests reads. */
export function groupNoun(p: Pick<PromptView, 'method' | 'kind'>, n: number): string {
  const [one, many] = isMethod(p.method) ? METHOD_TABLE[p.method].noun : ['request', 'requests'];
  return `${n} ${n === 1 ? one : many}${p.kind !== null ? ` of kind ${p.kind}` : ''}`;
}
