// Text that came from outside (a backup file), shown inside our own sentences.
/**
 * A text from the file, shown as data: in quotes, with every quote, backslash, line break and
 * invisible or control character escaped, so it can never read as a change line of its own
 * (a label `x"\nallow https://evil` stays one quoted string).
 */
export function quoted(text: string): string {
  const escaped = text.replace(/[\\"]|[\p{C}\p{Zl}\p{Zp}]/gu, (c) => {
    if (c === '"' || c === '\\') return `\\${c}`;
    if (c === '\n') return '\\n';
    return `\\u{${c.codePointAt(0)!.toString(16)}}`;
  });
  return `"${escaped}"`;
}
