// Bundled by e2e/global-setup.ts into e2e/site/.build/ndk.js (an IIFE): a real client library,
// NDK, signing, encrypting and reading NIP-17 direct messages through window.nostr with its NIP-07 signer.
import NDK, { giftUnwrap, NDKEvent, NDKNip07Signer, NDKUser } from '@nostr-dev-kit/ndk';

async function ndkSign(content: string): Promise<unknown> {
  const signer = new NDKNip07Signer(2_000);
  const ndk = new NDK({ signer, enableOutboxModel: false, autoConnectUserRelays: false });
  const event = new NDKEvent(ndk, { kind: 1, content, tags: [['t', 'warden-e2e']], created_at: Math.floor(Date.now() / 1000) } as never);
  await event.sign(signer);
  return event.rawEvent();
}

async function ndkEncrypt(peerPubkey: string, plaintext: string): Promise<string> {
  const signer = new NDKNip07Signer(2_000);
  return signer.encrypt(new NDKUser({ pubkey: peerPubkey }), plaintext, 'nip44');
}

async function ndkUserPubkey(): Promise<string> {
  const signer = new NDKNip07Signer(2_000);
  return (await signer.user()).pubkey;
}

/** NDK's own NIP-17 reading path: giftUnwrap opens the wrap, checks the seal, opens the seal. */
async function ndkUnwrap(wraps: unknown[]): Promise<{ pubkey: string; content: string }[]> {
  const signer = new NDKNip07Signer(2_000);
  const ndk = new NDK({ signer, enableOutboxModel: false, autoConnectUserRelays: false });
  const out = [];
  for (const raw of wraps) {
    const rumor = await giftUnwrap(new NDKEvent(ndk, raw as never), undefined, signer);
    out.push({ pubkey: rumor.pubkey, content: rumor.content });
  }
  return out;
}

Object.assign(window, { ndkSign, ndkEncrypt, ndkUserPubkey, ndkUnwrap, ndkReady: true });
