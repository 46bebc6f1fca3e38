// set_kill_switch: stop every web-page request at once, or resume (docs/ARCHITECTURE.md, Kill switch).
import { fail } from '../../../shared/errors.ts';
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

/** Resuming loosens: only with the vault unlocked (docs/THREATS.md #31). */
export async function resumeSigning(ctx: BackgroundContext): Promise<void> {
  if (ctx.vault.locked) throw fail('locked', 'Unlock Warden to resume signing');
  await ctx.killSwitch.set(false);
}

export const killSwitchHandlers = {
  set_kill_switch: async (ctx, p) => {
    await (p.on ? stopSigning(ctx) : resumeSigning(ctx));
    return { killSwitch: ctx.killSwitch.on };
  },
} satisfies Partial<AdminHandlers>;
