export const CHROMIUM_FLAGS: string[];
export function findChromium(): string | undefined;
export const CHROMIUM_HELP: string;
export function findFirefox(): string | undefined;
export const FIREFOX_HELP: string;
