// Judges what a signer answered in the peers phase (bench/peers-phase.mjs), in Node and after the
// timed part: a figure only counts what came back right. Pure: the signature check is passed in.

/** Counts of how the calls of one batch ended. */
export const emptyTally = () => ({ ok: 0, lost: 0, swapped: 0, invalid: 0, refused: 0 });

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
    else if ('error' in r) t.refused++;
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
    if ('error' in r) return void t.refused++;
    const want = expected[i];
    const rumor = parseRumor(r.value?.rumor);
    if (r.value?.seal === want.sender && rumor?.pubkey === want.sender && rumor?.content === want.content) t.ok++;
    else t.swapped++;
  });
  return t;
}

/** Adds tally `b` into `a` (returns `a`). */
export function addTally(a, b) {
  for (const k of Object.keys(a)) a[k] += b[k] ?? 0;
  return a;
}

/** "0 lost, 0 swapped" plus any other failure, for a printed line. */
export function tallyText(t) {
  const extra = ['invalid', 'refused'].filter((k) => t[k] > 0).map((k) => `, ${t[k]} ${k}`);
  return `${t.lost} lost, ${t.swapped} swapped${extra.join('')}`;
}
