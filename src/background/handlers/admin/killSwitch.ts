// set_kill_switch: stop every web-page request at once, or resume (docs/ARCHITECTURE.md, Kill switch).
import type { BackgroundContext } from '../../context.ts';
import type { AdminHandlers } from './types.ts';

/**
 * Turns the switch on and refuses what waits on a prompt, unlock prompts included, whose windows
 * then close. Works in any state (locked, no account): stopping only ever tightens. The popup's
 * control and the keyboard shortcut both come here.
 */
export async function stopSigning(ctx: BackgroundContext): Promise<void> {
  // In memory before the write returns: nothing is served in between.
  const stored = ctx.killSwitch.set(true);
  ctx.prompts.refuseAll(ctx.killSwitch.refusal());
  await stored;
}

/**
 * Turning it off loosens: the lock gate around the route table refuses it with `locked` while the
 * vault is locked or holds no key (`set_kill_switch` in lockGate.ts, docs/THREATS.md #31).
 */
export const killSwitchHandlers = {
  set_kill_switch: async (ctx, p) => {
    await (p.on ? stopSigning(ctx) : ctx.killSwitch.set(false));
    return { killSwitch: ctx.killSwitch.on };
  },
} satisfies Partial<AdminHandlers>;
