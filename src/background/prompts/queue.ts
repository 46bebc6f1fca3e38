// Requests that policy says to ask about, waiting for the user's answer.
import { fail, type WardenError } from '../../shared/errors.ts';
import type { Method } from '../../shared/methods.ts';
import type { PromptDetails } from '../operations.ts';
import type { RequestTarget } from '../../policy/constraints.ts';

export interface PromptInfo {
  promptId: string;
  origin: string;
  accountId: number;
  method: Method;
  kind: number | null;
  reason: string;
  details: PromptDetails;
  /** What the request is aimed at: "always for this person / relay / URL" remembers it (handlers/admin/prompts.ts). */
  target?: RequestTarget | undefined;
  createdAt: number;
  tabId?: number | undefined;
  /** Set when the request came from an embedded frame: the top-level site it is embedded in. */
  topOrigin?: string | undefined;
  /** The browser window of the requesting tab: each browser window has its own prompt window. */
  windowId?: number | undefined;
  /** Set when the vault must be unlocked (or a key created) before the request can be decided. */
  need?: 'unlock' | 'account' | undefined;
  /** When a prompt page first listed it: a bulk answer in the older form covers only what waited before. */
  shownAt?: number | undefined;
  /** The page's request id and its params as sent: a restarted worker re-attaches by both. */
  requestId?: string | undefined;
  paramsKey?: string | undefined;
  /** The sending document (its key in src/background/documents.ts) and whether its tab was the active one. */
  sentFrom?: { document?: string | undefined; activeTab?: boolean | undefined } | undefined;
}

/** approved: the user allowed this very request; recheck: a remembered answer may now cover it. */
export interface PromptAnswer {
  type: 'approved' | 'recheck';
  prompt: PromptInfo;
}

/** A request taken out of the queue, to be settled exactly once. */
export interface Claimed {
  info: PromptInfo;
  settle(type: PromptAnswer['type']): void;
  refuse(error: WardenError): void;
}

interface Waiting extends Claimed {
  timer: ReturnType<typeof setTimeout>;
  /** Sent back through the guard: still listed (so the window stays), but no longer answerable. */
  rechecking?: boolean;
}

/** The default bound on waiting requests of all sites together. */
export const MAX_WAITING_TOTAL = 200;

export interface PromptQueueOptions {
  maxPerOrigin: number;
  /**
   * Across all sites: the per-site bound alone lets frames of many subdomains (each its own
   * origin) fill memory and the prompt without limit (docs/THREATS.md #34).
   */
  maxTotal?: number;
  timeoutMs: number;
  now: () => number;
  onChange: (pending: readonly PromptInfo[]) => void;
  /** A request now waits for a person (not an unlock wait): its "asked" activity row. */
  onAsked?: (info: PromptInfo) => void;
  /** A request refused at once because too many wait: its (collapsed) rate_limited row. */
  onRateLimited?: (request: Omit<PromptInfo, 'promptId' | 'createdAt'>, error: WardenError) => void;
}

/** A request waiting on an unlock is refused with the reason it could not run, whatever ended the wait. */
function refusalFor(info: PromptInfo, error: WardenError): WardenError {
  if (info.need === 'unlock') return fail('locked', `The signer is locked (${error.message.toLowerCase()})`);
  if (info.need === 'account') return fail('no_account', `No Nostr account in the signer yet (${error.message.toLowerCase()})`);
  return error;
}

export class PromptQueue {
  private readonly waiting = new Map<string, Waiting>();

  constructor(private readonly opts: PromptQueueOptions) {}

  /**
   * Waits for an answer; rejects with rate_limited at once past the per-site or the global bound,
   * timeout after the wait bound. A request that already holds a place (`previous`) keeps it.
   */
  ask(request: Omit<PromptInfo, 'promptId' | 'createdAt'>, previous?: PromptInfo): Promise<PromptAnswer> {
    if (previous) clearTimeout(this.waiting.get(previous.promptId)?.timer);
    if (!previous) {
      const full = this.fullFor(request.origin, this.waiting.size, this.countOf(request.origin, true));
      if (full) {
        this.opts.onRateLimited?.(request, full);
        return Promise.reject(full);
      }
    }
    const info: PromptInfo = {
      ...request,
      promptId: previous?.promptId ?? crypto.randomUUID(),
      createdAt: previous?.createdAt ?? this.opts.now(),
    };
    return new Promise<PromptAnswer>((resolve, reject) => {
      const remaining = Math.max(0, info.createdAt + this.opts.timeoutMs - this.opts.now());
      const timer = setTimeout(() => this.refuse(info.promptId, fail('timeout', 'Nobody answered the prompt in time')), remaining);
      this.waiting.set(info.promptId, { info, settle: (type) => resolve({ type, prompt: info }), refuse: (error) => reject(refusalFor(info, error)), timer });
      if (!info.need) this.opts.onAsked?.(info);
      this.changed();
    });
  }

  /**
   * The refusal a new request of `origin` gets now because too many requests wait, or null. Cheap
   * (no storage): the router and the guard call it before anything about the request is read or
   * written. Requests sent back through the guard are not counted here: their places are already
   * taken, and a new request cannot take them (ask() counts them).
   */
  tooMany(origin: string): WardenError | null {
    let total = 0;
    for (const w of this.waiting.values()) if (!w.rechecking) total++;
    return this.fullFor(origin, total, this.countOf(origin, false));
  }

  private countOf(origin: string, withRechecking: boolean): number {
    let n = 0;
    for (const w of this.waiting.values()) if (w.info.origin === origin && (withRechecking || !w.rechecking)) n++;
    return n;
  }

  private fullFor(origin: string, total: number, ofOrigin: number): WardenError | null {
    if (ofOrigin >= this.opts.maxPerOrigin) return fail('rate_limited', `Too many requests from ${origin} are waiting for an answer`);
    if (total >= (this.opts.maxTotal ?? MAX_WAITING_TOTAL)) return fail('rate_limited', 'Too many requests are waiting for an answer');
    return null;
  }

  /**
   * After a worker restart: the requests that were waiting are shown again, but their callers are
   * gone until the page's bridge sends the same request again (see reattach). An answer given
   * before that is kept, and the request is refused explicitly if its caller never comes back.
   */
  restore(saved: readonly PromptInfo[], onAnswer: (info: PromptInfo, answer: 'approved' | 'refused') => void): void {
    for (const info of saved) {
      if (this.waiting.has(info.promptId)) continue;
      const remaining = Math.max(0, info.createdAt + this.opts.timeoutMs - this.opts.now());
      const timer = setTimeout(() => this.claim(info.promptId), remaining);
      this.waiting.set(info.promptId, {
        info,
        settle: (type) => type === 'approved' && onAnswer(info, 'approved'),
        refuse: () => onAnswer(info, 'refused'),
        timer,
      });
    }
    if (saved.length) this.changed();
  }

  /** The waiting request a re-sent page request belongs to: same request id, same site, same params. */
  findRequest(requestId: string, origin: string, paramsKey: string): PromptInfo | undefined {
    return this.list().find((p) => p.requestId === requestId && p.origin === origin && p.paramsKey === paramsKey);
  }

  /** Whether a request with this page id of this site waits (cheap: no sort, no params). */
  holds(requestId: string, origin: string): boolean {
    for (const w of this.waiting.values()) if (w.info.requestId === requestId && w.info.origin === origin) return true;
    return false;
  }

  /** Oldest first: a request sent back for re-evaluation keeps its place. */
  list(): PromptInfo[] {
    return [...this.waiting.values()].map((w) => w.info).sort((a, b) => a.createdAt - b.createdAt);
  }

  /** The requests that wait for a person: not those a remembered answer sent back through the guard. */
  awaitingAnswer(): PromptInfo[] {
    return [...this.waiting.values()].filter((w) => !w.rechecking).map((w) => w.info).sort((a, b) => a.createdAt - b.createdAt);
  }

  /** Notes when requests were first put in front of a person. */
  markShown(promptIds: readonly string[], at: number): void {
    for (const id of promptIds) {
      const w = this.waiting.get(id);
      if (w && w.info.shownAt === undefined) w.info.shownAt = at;
    }
  }

  get(promptId: string): PromptInfo | undefined {
    return this.waiting.get(promptId)?.info;
  }

  /**
   * Takes a waiting request out of the queue at once, so a second answer to the same prompt (a
   * double click, two windows) finds nothing: a prompt id is single-use.
   */
  claim(promptId: string): Claimed | undefined {
    const w = this.waiting.get(promptId);
    if (!w) return undefined;
    if (w.rechecking) {
      // Its caller is not waiting on an answer any more: only drop it.
      this.waiting.delete(promptId);
      this.changed();
      return undefined;
    }
    clearTimeout(w.timer);
    this.waiting.delete(promptId);
    this.changed();
    return w;
  }

  approve(promptId: string): boolean {
    const c = this.claim(promptId);
    c?.settle('approved');
    return c !== undefined;
  }

  refuse(promptId: string, error: WardenError): boolean {
    const c = this.claim(promptId);
    c?.refuse(error);
    return c !== undefined;
  }

  /** Sends waiting requests back through the guard: a site's after a remembered answer, or all. */
  recheck(filter: (p: PromptInfo) => boolean): void {
    for (const w of [...this.waiting.values()]) {
      if (w.rechecking || !filter(w.info)) continue;
      clearTimeout(w.timer);
      w.rechecking = true;
      w.settle('recheck');
    }
  }

  /**
   * Ends a rechecked request's place in the queue once its new pass did not ask again (it was
   * allowed or refused). Until then it stays listed, so the prompt window does not close and
   * reopen while a remembered answer works through a long queue.
   */
  forget(promptId: string): void {
    if (this.waiting.get(promptId)?.rechecking) this.claim(promptId);
  }

  refuseAll(error: WardenError, filter: (p: PromptInfo) => boolean = () => true): void {
    for (const info of this.list()) if (filter(info)) this.refuse(info.promptId, error);
  }

  private changed(): void {
    this.opts.onChange(this.list());
  }
}
