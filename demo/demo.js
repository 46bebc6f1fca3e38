// The demo site: plain JavaScript, no build, calling window.nostr from buttons.
const $ = (id) => document.getElementById(id);
const out = $('result');

function show(label, value) {
  out.className = '';
  out.textContent = `${label}\n${typeof value === 'string' ? value : JSON.stringify(value, null, 2)}`;
}
function showError(label, err) {
  out.className = 'err';
  out.textContent = `${label} refused: [${err.code ?? 'no code'}] ${err.message}`;
}
async function run(label, fn) {
  out.textContent = `${label}…`;
  try { show(label, await fn()); } catch (err) { showError(label, err); }
}
async function peer() {
  return $('peer').value.trim() || (await window.nostr.getPublicKey());
}
async function roundTrip(api) {
  const pk = await peer();
  const ciphertext = await api.encrypt(pk, $('message').value);
  const plaintext = await api.decrypt(pk, ciphertext);
  return { ciphertext, plaintext };
}

window.addEventListener('load', () => {
  $('has-nostr').textContent = window.nostr ? 'window.nostr is present.' : 'window.nostr is missing: is the extension loaded?';
});
$('getPublicKey').onclick = () => run('getPublicKey', () => window.nostr.getPublicKey());
$('signEvent').onclick = () =>
  run('signEvent', () =>
    window.nostr.signEvent({ kind: Number($('kind').value), content: $('content').value, tags: [], created_at: Math.floor(Date.now() / 1000) }),
  );
$('getRelays').onclick = () => run('getRelays', () => window.nostr.getRelays());
$('nip04').onclick = () => run('nip04', () => roundTrip(window.nostr.nip04));
$('nip44').onclick = () => run('nip44', () => roundTrip(window.nostr.nip44));
