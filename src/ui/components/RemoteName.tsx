// A remote (NIP-46) client named on a page: the name it gave when it connected — its own claim,
// so it is shown as one — with its key beside it, because the key is what the grant is bound to.
import type { RemoteLabel } from '../../shared/adminResults.ts';

export function RemoteName({ remote, testid }: { remote: RemoteLabel; testid: string }) {
  return (
    <div data-testid={testid}>
      <div class="remote-name">{remote.name ? `“${remote.name}”` : 'An unnamed app'}</div>
      <div class="muted">
        a remote app signing through Warden (NIP-46){remote.name ? ', by the name it gave' : ''} · key{' '}
        <span class="mono" title={remote.npub}>
          {remote.npub.slice(0, 14)}…{remote.npub.slice(-6)}
        </span>
      </div>
    </div>
  );
}
