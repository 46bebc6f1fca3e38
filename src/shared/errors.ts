// The only error vocabulary that crosses a message boundary (docs/ARCHITECTURE.md, Error codes and Wire contract).
import type { z } from 'zod';
export const ERROR_CODES = [
  'denied',
  'cap_exceeded',
  'locked',
  'invalid_request',
  'timeout',
  'rate_limited',
  'no_account',
  'internal',
  'not_found',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface WireError {
  code: ErrorCode;
  message: string;
}

export type WireResponse<T = unknown> = { ok: true; result: T } | { ok: false; error: WireError };

export class WardenError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'WardenError';
    this.code = code;
  }
}

export const fail = (code: ErrorCode, message: string): WardenError => new WardenError(code, message);

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}

/**
 * Anything thrown becomes a wire error. Only WardenError messages are passed on: any other
 * error may carry internals (or worse, key material from a library message), so it becomes a
 * plain `internal`.
 */
export function toWireError(err: unknown): WireError {
  if (err instanceof WardenError) return { code: err.code, message: err.message };
  return { code: 'internal', message: 'Internal error in the signer' };
}

export function errorResponse(err: unknown): { ok: false; error: WireError } {
  return { ok: false, error: toWireError(err) };
}

/** Rebuilds an Error with a `code` property on the receiving side of a message. */
export function fromWireError(error: unknown): Error & { code: ErrorCode } {
  const e = (typeof error === 'object' && error !== null ? error : {}) as Partial<WireError>;
  const code: ErrorCode = isErrorCode(e.code) ? e.code : 'internal';
  const message = typeof e.message === 'string' && e.message ? e.message : code;
  const out = new Error(message) as Error & { code: ErrorCode };
  out.code = code;
  return out;
}

/** First zod issue as one readable line, without echoing the (possibly secret) input. */
export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid request';
  const path = issue.path.length ? issue.path.join('.') : 'params';
  return `${path}: ${issue.message}`;
}
