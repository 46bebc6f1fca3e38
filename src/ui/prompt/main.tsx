// The prompt window of one browser window: the oldest waiting request in full, the rest as a
// queue of collapsed lines. The background opens and closes it.
import { render } from 'preact';
import { signal } from '@preact/signals';
import { admin } from '../shared/rpc.ts';
import { onPromptsChanged } from '../shared/live.ts';
import { AnswerForm } from './AnswerForm.tsx';
import { NeedView } from './NeedView.tsx';
import { RequestView } from './RequestView.tsx';
import { groupNoun, type PromptView } from './types.ts';

const forWindow = new URLSearchParams(location.search).get('for');
const prompts = signal<PromptView[] | null>(null);

let asked = 0;
/** Replies may arrive out of order: only the newest request's reply is shown. */
async function refresh(): Promise<void> {
  const mine = ++asked;
  const { prompts: list } = await admin('list_prompts', forWindow === null ? {} : { windowId: Number(forWindow) });
  if (mine === asked) prompts.value = list;
}

function Queue({ rest }: { rest: PromptView[] }) {
  const groups: { p: PromptView; n: number }[] = [];
  for (const p of rest) {
    const g = groups.find((x) => x.p.group === p.group);
    if (g) g.n += 1;
    else groups.push({ p, n: 1 });
  }
  return (
    <section class="queue" aria-label="Waiting requests">
      <div data-testid="prompt-waiting">{rest.length} more waiting</div>
      <ul>
        {groups.map(({ p, n }) => (
          <li key={p.promptId} data-testid="prompt-group">
            {p.need ? `${n} request(s) waiting for an unlock` : groupNoun(p, n)} from {p.origin}
          </li>
        ))}
      </ul>
    </section>
  );
}

function App() {
  const list = prompts.value;
  if (list === null) return <p class="muted">Loading…</p>;
  const [first, ...rest] = list;
  if (!first) return <p class="muted" data-testid="prompt-empty">Nothing is waiting.</p>;
  return (
    <div data-testid="prompt" data-prompt-id={first.promptId}>
      {first.need ? (
        <NeedView p={first} />
      ) : (
        <>
          <RequestView p={first} sameGroup={1 + rest.filter((x) => x.group === first.group).length} />
          <AnswerForm
            key={first.promptId}
            p={first}
            similar={rest.filter((x) => x.bulk && x.group === first.group).length}
            fromSite={1 + rest.filter((x) => x.bulk && first.siteGroup !== null && x.siteGroup === first.siteGroup).length}
            onScreen={list.map((x) => x.promptId)}
          />
        </>
      )}
      {rest.length > 0 && <Queue rest={rest} />}
    </div>
  );
}

onPromptsChanged(() => void refresh());
void refresh();
render(<App />, document.getElementById('app')!);
