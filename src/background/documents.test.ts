// Requests bound to their document (docs/THREATS.md #41): an inactive document cannot ask, and a
// document whose port disconnects has its waiting requests refused — only its own.
import { describe, expect, it } from 'vitest';
import type { SenderInfo } from './sender.ts';
import { acceptDocumentPort, documentKey } from './documents.ts';
import { DOCUMENT_PORT } from '../platform.ts';
import { fail } from '../shared/errors.ts';
import { code, logCount, SITE, waitPending, withAccount } from '../test/background.ts';

function frame(frameId: number, extra: Partial<SenderInfo> = {}): SenderInfo {
  return { id: 'abc', url: `${SITE}/app`, origin: SITE, tab: { id: 7, url: `${SITE}/app`, windowId: 1, active: true }, frameId, ...extra };
}

function fakePort(sender: SenderInfo, name = DOCUMENT_PORT) {
  const listeners: (() => void)[] = [];
  return { name, sender, onDisconnect: { addListener: (cb: () => void) => void listeners.push(cb) }, disconnect: () => listeners.forEach((cb) => cb()) };
}

describe('document binding', () => {
  it.each(['prerender', 'cached', 'pending_deletion'])('a request from a %s document is refused with denied before anything asks', async (lifecycle) => {
    const h = await withAccount();
    const r = await h.sign(frame(0, { documentId: 'D1', documentLifecycle: lifecycle }));
    expect(code(r)).toBe('denied');
    expect(await h.pending()).toEqual([]);
    expect(await logCount(h)).toBe(0);
  });

  it('an active document asks as before', async () => {
    const h = await withAccount();
    const p = h.sign(frame(0, { documentId: 'D1', documentLifecycle: 'active' }));
    const [pending] = await waitPending(h, 1);
    await h.ok('resolve_prompt', { promptId: pending!.promptId, decision: 'allow' });
    expect(code(await p)).toBe('ok');
  });

  it('keys: Chromium documentId where present, else tab and frame', () => {
    expect(documentKey(frame(3, { documentId: 'ABC' }))).toBe('doc:ABC');
    expect(documentKey(frame(3))).toBe('frame:7/3');
    expect(documentKey({ url: `${SITE}/` })).toBeUndefined();
  });

  it.each([
    ['Chromium (documentId)', { documentId: 'SUB' }, { documentId: 'TOP' }],
    ['Firefox (tab and frame)', {}, {}],
  ])('%s: a document whose port disconnects has its waiting requests refused, and no other', async (_name, sub, top) => {
    const h = await withAccount();
    const subFrame = frame(5, sub);
    const topFrame = frame(0, top);
    const subPort = fakePort(subFrame);
    const topPort = fakePort(topFrame);
    expect(acceptDocumentPort(subPort, h.ctx.prompts)).toBe(true);
    expect(acceptDocumentPort(topPort, h.ctx.prompts)).toBe(true);
    expect(acceptDocumentPort(fakePort(subFrame, 'warden:live'), h.ctx.prompts)).toBe(false);
    const fromSub = h.sign(subFrame, { content: 'sub' });
    const fromTop = h.sign(topFrame, { content: 'top' });
    await waitPending(h, 2);
    subPort.disconnect();
    const r = await fromSub;
    expect(code(r)).toBe('denied');
    const [left] = await h.pending();
    expect(await h.pending()).toHaveLength(1);
    expect((await h.ok('get_prompt', { promptId: left!.promptId })).details.event.content).toBe('top');
    await h.ok('resolve_prompt', { promptId: left!.promptId, decision: 'allow' });
    expect(code(await fromTop)).toBe('ok');
  });

  it('the prompt records whether the sending tab was the active one', async () => {
    const h = await withAccount();
    const bg = frame(0, { tab: { id: 9, url: `${SITE}/app`, windowId: 1, active: false } });
    const p = h.sign(bg);
    await waitPending(h, 1);
    expect(h.ctx.prompts.list()[0]!.sentFrom).toEqual({ document: 'frame:9/0', activeTab: false });
    h.ctx.prompts.refuseAll(fail('denied', 'test over'));
    expect(code(await p)).toBe('denied');
  });
});
