// A modal confirmation (native <dialog>: focus is trapped and Escape cancels).
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

export function Confirm({ open, title, children, confirmText, danger = true, onConfirm, onCancel }: {
  open: boolean;
  title: string;
  children?: ComponentChildren;
  confirmText: string;
  danger?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  // Mounted only while open: a page with many rows holds one dialog, not one per row.
  if (!open) return null;
  return (
    <dialog ref={ref} class="w-confirm" aria-labelledby="confirm-title" data-testid="confirm" onCancel={(e) => { e.preventDefault(); onCancel(); }}>
      <h2 id="confirm-title">{title}</h2>
      <div>{children}</div>
      <div class="row" style={{ marginTop: '14px', justifyContent: 'flex-end' }}>
        <button type="button" data-testid="confirm-cancel" onClick={onCancel} autoFocus>
          Cancel
        </button>
        <button type="button" data-testid="confirm-ok" class={danger ? 'danger' : 'primary'} onClick={onConfirm}>
          {confirmText}
        </button>
      </div>
    </dialog>
  );
}
