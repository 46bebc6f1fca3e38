// Requests are bound to the document that sent them (docs/THREATS.md #41). A document that is not
// active (prerendered, in the back/forward cache, being unloaded) cannot ask; and when a document
// goes away — its frame navigates or is removed — what it still waits on is refused. The content
// bridge of each frame holds a port named DOCUMENT_PORT from its first request on; the browser
// disconnects it when the document goes, and the background refuses that document's waiting
// requests. Nothing from the port is trusted but the browser's own sender information, and all it
// can do is cancel requests of its own document.
import { fail } from '../shared/errors.ts';
import type { SenderInfo } from './sender.ts';
import type { PromptInfo, PromptQueue } from './prompts/queue.ts';

import { DOCUMENT_PORT } from '../platform.ts';

/**
 * One document, as the browser names it: Chromium's documentId where the sender has it; else
 * (Firefox) the tab and frame, which a later document of the same frame shares.
 */
export function documentKey(sender: SenderInfo): string | undefined {
  if (sender.documentId) return `doc:${sender.documentId}`;
  if (sender.tab?.id === undefined || sender.frameId === undefined) return undefined;
  return `frame:${sender.tab.id}/${sender.frameId}`;
}

/** Refuses a request from a document the browser says is not the active one (Chromium only tells). */
export function refuseInactiveDocument(sender: SenderInfo): void {
  if (sender.documentLifecycle !== undefined && sender.documentLifecycle !== 'active') {
    throw fail('denied', 'Requests are accepted only from the page being shown');
  }
}

/** Where a request was sent from, as its prompt keeps it. */
export function sentFrom(sender: SenderInfo): NonNullable<PromptInfo['sentFrom']> {
  return { document: documentKey(sender), activeTab: sender.tab?.active };
}

/** The part of runtime.Port used here. */
export interface DocumentPort {
  name: string;
  sender?: SenderInfo | undefined;
  onDisconnect: { addListener(cb: () => void): void };
}

/** Accepts a bridge's document port; when it disconnects, that document's waiting requests are refused. */
export function acceptDocumentPort(port: DocumentPort, prompts: PromptQueue): boolean {
  if (port.name !== DOCUMENT_PORT) return false;
  const key = documentKey(port.sender ?? {});
  if (key === undefined) return true;
  port.onDisconnect.addListener(() =>
    prompts.refuseAll(fail('denied', 'The requesting page went away'), (p) => p.sentFrom?.document === key),
  );
  return true;
}
