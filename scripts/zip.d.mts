export const ZIP_MTIME: Date;
export function zipBytes(entries: { name: string; data: Uint8Array }[]): Uint8Array;
export function writeZip(file: string, entries: { name: string; data: Uint8Array }[]): number;
