// Requests that policy says to ask about, waiting for the user's answer.
import { fail, type WardenError } from '../../shared/errors.ts';
import type { Method } from '../../shared/methods.ts';
import type { PromptDetails } from '../operations.ts';

export interface PromptInfo {
  promptId: string;
  origin: string;
  accountId: number;
  method: Method;
  kind: number | null;
  reason: string;
  details: PromptDetails;
  createdAt: number;
  tabId?: number | undefined;
  /** Set when the request came from an embedded frame: the top-level site it is embedded in. */
  topOrigin?: string | undefined;
}

/** approved: the user allowed this very request; recheck: a remembered answer may now cover it. */
export interface PromptAnswer {
  type: 'approved' | 'recheck';
  prompt: PromptInfo;
}

interface Waiting {
  info: PromptInfo;
  settle: (type: PromptAnswer['type']) => void;
  refuse: (error: WardenError) => void;
  timer: ReturnType<typeof setTimeout>;
}

export interface PromptQueueOptions {
  maxPerOrigin: number;
  timeoutMs: number;
  now: () => number;
  onChange: (pending: readonly PromptInfo[]) => void;
}

export class PromptQueue {
  private readonly waiting = new Map<string, Waiting>();

  constructor(private readonly opts: PromptQueueOptions) {}

  /** Waits for an answer; rejects with rate_limited at once past the per-site bound, timeout after the wait bound. */
  ask(request: Omit<PromptInfo, 'promptId' | 'createdAt'>, previous?: PromptInfo): Promise<PromptAnswer> {
    if (!previous && this.list().filter((p) => p.origin === request.origin).length >= this.opts.maxPerOrigin) {
      return Promise.reject(fail('rate_limited', `Too many requests from ${request.origin} are waiting for an answer`));
    }
    const info: PromptInfo = {
      ...request,
      promptId: previous?.promptId ?? crypto.randomUUID(),
      createdAt: previous?.createdAt ?? this.opts.now(),
    };
    return new Promise<PromptAnswer>((resolve, reject) => {
      const remaining = Math.max(0, info.createdAt + this.opts.timeoutMs - this.opts.now());
      const timer = setTimeout(() => this.refuse(info.promptId, fail('timeout', 'Nobody answered the prompt in time')), remaining);
      this.waiting.set(info.promptId, { info, settle: (type) => resolve({ type, prompt: info }), refuse: reject, timer });
      this.changed();
    });
  }

  list(): PromptInfo[] {
    return [...this.waiting.values()].map((w) => w.info);
  }

  get(promptId: string): PromptInfo | undefined {
    return this.waiting.get(promptId)?.info;
  }

  approve(promptId: string): boolean {
    return this.finish(promptId, (w) => w.settle('approved'));
  }

  refuse(promptId: string, error: WardenError): boolean {
    return this.finish(promptId, (w) => w.refuse(error));
  }

  /** Sends every waiting request of a site back through the guard (after a remembered answer). */
  recheck(origin: string): void {
    for (const w of [...this.waiting.values()]) {
      if (w.info.origin === origin) this.finish(w.info.promptId, (x) => x.settle('recheck'));
    }
  }

  refuseAll(error: WardenError, filter: (p: PromptInfo) => boolean = () => true): void {
    for (const info of this.list()) if (filter(info)) this.refuse(info.promptId, error);
  }

  private finish(promptId: string, how: (w: Waiting) => void): boolean {
    const w = this.waiting.get(promptId);
    if (!w) return false;
    clearTimeout(w.timer);
    this.waiting.delete(promptId);
    how(w);
    this.changed();
    return true;
  }

  private changed(): void {
    this.opts.onChange(this.list());
  }
}
