// What a restarted worker needs to honour prompts answered across the restart, kept in
// storage.session and mirrored in memory (the hot path only reads memory):
// - the waiting requests, so the prompt shows them again and the page's re-sent request finds
//   its place;
// - answers given while a request's caller was gone, until the caller comes back;
// - requests approved and running, so one interrupted by a stop is refused, never run twice.
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import type { SessionStore } from '../../vault/sessionStore.ts';
import { Serial } from '../serial.ts';
import type { PromptInfo, PromptQueue } from './queue.ts';

const PENDING_KEY = 'prompts.pending';
const ANSWERS_KEY = 'prompts.answers';
const RUNNING_KEY = 'prompts.running';

type Answer = { answer: 'approved' | 'refused'; origin: string; paramsKey: string };

/**
 * How a re-sent request is recognised as the same one: a digest of its method and params, so the
 * copy in storage.session holds no text of them (docs/THREATS.md #43).
 */
export function paramsKey(request: unknown): string {
  return bytesToHex(sha256(utf8ToBytes(JSON.stringify(request))));
}

/**
 * An encrypt's text stays in memory only (docs/THREATS.md #43): the saved copy drops it, and the
 * page's re-sent request after a restart brings its params, and so the text, again.
 */
function withoutPlaintext(p: PromptInfo): PromptInfo {
  if (p.details.type !== 'peer' || p.details.plaintext === undefined) return p;
  return { ...p, details: { type: 'peer', pubkey: p.details.pubkey } };
}

export class PromptResume {
  private answers: Record<string, Answer> = {};
  private running: Record<string, string> = {};
  private readonly writes = new Serial();

  constructor(private readonly session: SessionStore) {}

  async load(queue: PromptQueue): Promise<void> {
    this.answers = (await this.session.get<Record<string, Answer>>(ANSWERS_KEY)) ?? {};
    this.running = (await this.session.get<Record<string, string>>(RUNNING_KEY)) ?? {};
    const saved = (await this.session.get<PromptInfo[]>(PENDING_KEY)) ?? [];
    queue.restore(saved, (info, answer) => {
      if (!info.requestId || !info.paramsKey) return;
      this.answers[info.requestId] = { answer, origin: info.origin, paramsKey: info.paramsKey };
      this.write(ANSWERS_KEY, this.answers);
    });
  }

  /** Mirrors the waiting list (those a page could re-send) into storage.session. */
  save(pending: readonly PromptInfo[]): void {
    this.write(PENDING_KEY, pending.filter((p) => p.requestId).map(withoutPlaintext));
  }

  /** An answer given while this request's caller was gone; only for the same site and params. */
  takeAnswer(requestId: string, origin: string, paramsKey: string): 'approved' | 'refused' | undefined {
    const a = this.answers[requestId];
    if (!a || a.origin !== origin || a.paramsKey !== paramsKey) return undefined;
    delete this.answers[requestId];
    this.write(ANSWERS_KEY, this.answers);
    return a.answer;
  }

  /** Whether this request id has an answer kept for it or was running: a re-sent request, not a new one. */
  knows(requestId: string): boolean {
    return requestId in this.answers || requestId in this.running;
  }

  wasRunning(requestId: string, origin: string): boolean {
    return this.running[requestId] === origin;
  }

  /** Awaited before an approved request runs: a stop during the run leaves the mark behind. */
  markRunning(requestId: string, origin: string): Promise<void> {
    this.running[requestId] = origin;
    return this.write(RUNNING_KEY, this.running);
  }

  clearRunning(requestId: string): void {
    if (!(requestId in this.running)) return;
    delete this.running[requestId];
    void this.write(RUNNING_KEY, this.running);
  }

  private write(key: string, value: unknown): Promise<void> {
    const copy = structuredClone(value);
    return this.writes.run(() => this.session.set(key, copy)).catch(() => undefined);
  }
}
