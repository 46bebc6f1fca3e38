// The popup's remote clients (NIP-46), listed beside the sites: picking one shows its grant,
// meters and revoke in the same site panel a website gets.
import { Button } from '../components/index.tsx';
import { usePoll } from '../components/hooks.ts';
import { admin } from '../shared/rpc.ts';

export function RemoteClients({ onPick }: { onPick: (origin: string) => void }) {
  const { data } = usePoll(() => admin('bunker_status'), [], 3_000);
  if (!data?.clients.length) return null;
  return (
    <div data-testid="popup-remote-clients">
      <p class="muted">Remote clients</p>
      {data.clients.map((c) => (
        <Button key={c.origin} small variant="ghost" testid="popup-remote-client" title={c.origin} onClick={() => onPick(c.origin)}>
          {c.name ?? 'Unnamed'} · {c.origin.slice(6, 14)}…
        </Button>
      ))}
    </div>
  );
}
