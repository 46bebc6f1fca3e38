// Judges what a signer answered in the peers phase (bench/peers-phase.mjs), in Node and after the
// timed part: a figure only counts what came back right. Pure: the signature check is passed in.

/** Counts of how the calls of one batch ended; `codes` counts the refusals by error code. */
export const emptyTally = () => ({ ok: 0, lost: 0, swapped: 0, invalid: 0, refused: 0, codes: {} });

function refuse(t, code) {
  t.refused++;
  t.codes[code] = (t.codes[code] ?? 0) + 1;
}

/**
 * signEvent replies, one per call, against the content each call sent. `lost`: never settled
 * before the page's deadline; `refused`: rejected; `invalid`: the signature does not verify or is
 * not by `pubkey`; `swapped`: a valid signature over another call's content (the reply went to the
 * wrong caller).
 */
export function checkSigned(replies, contents, pubkey, verify) {
  const t = emptyTally();
  replies.forEach((r, i) => {
    if ('lost' in r) t.lost++;
    else if ('error' in r) refuse(t, r.error);
    else if (!r.value || typeof r.value !== 'object' || !verify(r.value) || r.value.pubkey !== pubkey) t.invalid++;
    else if (r.value.content !== contents[i]) t.swapped++;
    else t.ok++;
  });
  return t;
}

function parseRumor(json) {
  try {
    const rumor = JSON.parse(json);
    return rumor && typeof rumor === 'object' ? rumor : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Unwrapped gift wraps ({ seal: the seal's author, rumor: the rumor's JSON }), one per wrap,
 * against what each wrap carried (`expected[i] = { sender, content }`). `swapped`: a plaintext
 * that is not this wrap's message (another wrap's, or unreadable); `refused` includes a decrypt
 * that failed in the signer.
 */
export function checkInbox(replies, expected) {
  const t = emptyTally();
  replies.forEach((r, i) => {
    if ('lost' in r) return void t.lost++;
    if ('error' in r) return void refuse(t, r.error);
    const want = expected[i];
    const rumor = parseRumor(r.value?.rumor);
    if (r.value?.seal === want.sender && rumor?.pubkey === want.sender && rumor?.content === want.content) t.ok++;
    else t.swapped++;
  });
  return t;
}

/** Adds tally `b` into `a` (returns `a`). */
export function addTally(a, b) {
  for (const k of ['ok', 'lost', 'swapped', 'invalid', 'refused']) a[k] += b[k] ?? 0;
  for (const [code, n] of Object.entries(b.codes ?? {})) a.codes[code] = (a.codes[code] ?? 0) + n;
  return a;
}

/** Every call answered right: nothing lost, swapped, invalid or refused. */
export const clean = (t) => t.lost === 0 && t.swapped === 0 && t.invalid === 0 && t.refused === 0;

/** "0 lost, 0 swapped" plus any other failure (refusals with their codes), for a printed line. */
export function tallyText(t) {
  const codes = Object.entries(t.codes ?? {}).map(([code, n]) => `${code} ${n}`);
  const extra = [t.invalid > 0 ? `, ${t.invalid} invalid` : '', t.refused > 0 ? `, ${t.refused} refused (${codes.join(', ')})` : ''];
  return `${t.lost} lost, ${t.swapped} swapped${extra.join('')}`;
}
