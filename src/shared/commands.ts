// Keyboard commands (the `commands` API). Kept free of imports: the manifest source and the popup
// both read these names.

/** The shortcut that stops all signing from anywhere in the browser. It only ever turns the switch on. */
export const STOP_SIGNING_COMMAND = 'stop-signing';
/** Free in both Chromium and Firefox (Ctrl+Shift+K is Firefox's web console). */
export const STOP_SIGNING_KEY = 'Alt+Shift+K';

export const COMMANDS = {
  [STOP_SIGNING_COMMAND]: {
    suggested_key: { default: STOP_SIGNING_KEY },
    description: 'Stop all signing (kill switch)',
  },
} as const;
