// A table paged by keyset (an id cursor), never by offset: "Older" follows the page's `next`
// cursor; "Newer" goes back through the cursors already seen. Filters reset it to the newest page.
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { Page } from '../../shared/adminResults.ts';


export interface Column<T> {
  title: string;
  cell: (row: T) => ComponentChildren;
}

export function PagedTable<T extends { id: number }>({ load, columns, testid, deps, empty, rowClass }: {
  load: (before: number | undefined) => Promise<Page<T>>;
  columns: readonly Column<T>[];
  testid: string;
  /** When any of these change, paging restarts from the newest entry. */
  deps: readonly unknown[];
  empty: string;
  rowClass?: (row: T) => string | undefined;
}) {
  const [cursors, setCursors] = useState<(number | undefined)[]>([undefined]);
  const [page, setPage] = useState<Page<T> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const before = cursors[cursors.length - 1];
  // `deps` are the caller's filters: a change goes back to the first page. `load` is a new
  // function each render, so it is not a dependency; the filters it reads are.
  useEffect(() => setCursors([undefined]), deps);
  useEffect(() => {
    let live = true;
    load(before).then(
      (p) => live && (setPage(p), setError(null)),
      (e: Error) => live && setError(e.message),
    );
    return () => {
      live = false;
    };
  }, [before, ...deps]);
  if (error) return <div class="error" role="alert">{error}</div>;
  if (!page) return <p class="muted">Loading…</p>;
  return (
    <div data-testid={testid}>
      {page.entries.length === 0 ? (
        <p class="w-empty" data-testid={`${testid}-empty`}>{empty}</p>
      ) : (
        <table class="w-table">
          <thead>
            <tr>{columns.map((c) => <th key={c.title} scope="col">{c.title}</th>)}</tr>
          </thead>
          <tbody>
            {page.entries.map((row) => (
              <tr key={row.id} data-testid={`${testid}-row`} data-id={row.id} class={rowClass?.(row)}>
                {columns.map((c) => <td key={c.title}>{c.cell(row)}</td>)}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div class="w-pager">
        <span data-testid={`${testid}-page`}>page {cursors.length}</span>
        <button type="button" class="small" data-testid={`${testid}-newer`} disabled={cursors.length === 1} onClick={() => setCursors(cursors.slice(0, -1))}>
          ← Newer
        </button>
        <button type="button" class="small" data-testid={`${testid}-older`} disabled={page.next === undefined} onClick={() => setCursors([...cursors, page.next])}>
          Older →
        </button>
      </div>
    </div>
  );
}
