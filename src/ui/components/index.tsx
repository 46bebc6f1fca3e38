// The small design system shared by the popup, the options page, the welcome page (and the
// prompt): labelled controls, keyboard-usable, stable data-testids, light and dark (base.css).
import type { ComponentChildren, JSX } from 'preact';
import { useId } from 'preact/hooks';

type ButtonProps = Omit<JSX.ButtonHTMLAttributes<HTMLButtonElement>, 'size' | 'type'> & {
  testid: string;
  variant?: 'primary' | 'danger' | 'ghost' | 'plain';
  small?: boolean;
  disabled?: boolean;
  type?: 'button' | 'submit';
};

export function Button({ testid, variant = 'plain', small, type = 'button', class: cls, children, ...rest }: ButtonProps) {
  const classes = [variant === 'plain' ? '' : variant, small ? 'small' : '', typeof cls === 'string' ? cls : ''].filter(Boolean).join(' ');
  return (
    <button type={type} data-testid={testid} class={classes || undefined} {...rest}>
      {children}
    </button>
  );
}

export function Badge({ tone = 'muted', testid, children, title }: { tone?: 'ok' | 'danger' | 'warn' | 'muted' | 'accent'; testid?: string; children: ComponentChildren; title?: string }) {
  return (
    <span class={`w-badge ${tone}`} data-testid={testid} title={title}>
      {children}
    </span>
  );
}

export function Card({ title, actions, children, testid, headingLevel = 2 }: { title?: ComponentChildren; actions?: ComponentChildren; children?: ComponentChildren; testid?: string; headingLevel?: 2 | 3 }) {
  const H = headingLevel === 2 ? 'h2' : 'h3';
  return (
    <section class="w-card" data-testid={testid}>
      {(title || actions) && (
        <header>
          <H>{title}</H>
          {actions}
        </header>
      )}
      {children}
    </section>
  );
}

type InputProps = Omit<JSX.InputHTMLAttributes<HTMLInputElement>, 'label'> & { label: ComponentChildren; testid: string; hint?: ComponentChildren };

/** A labelled input: the label names the control for screen readers and clicks focus it. */
export function Field({ label, testid, hint, ...input }: InputProps) {
  const id = useId();
  return (
    <div class="w-field">
      <label for={id}>{label}</label>
      <input id={id} data-testid={testid} {...input} />
      {hint && <span class="hint">{hint}</span>}
    </div>
  );
}

type SelectProps = Omit<JSX.SelectHTMLAttributes<HTMLSelectElement>, 'label'> & { label: ComponentChildren; testid: string; options: readonly (readonly [string, string])[] };

export function Select({ label, testid, options, ...select }: SelectProps) {
  const id = useId();
  return (
    <div class="w-field">
      <label for={id}>{label}</label>
      <select id={id} data-testid={testid} {...select}>
        {options.map(([value, text]) => (
          <option key={value} value={value}>
            {text}
          </option>
        ))}
      </select>
    </div>
  );
}

export function ErrorText({ testid, error }: { testid: string; error: string | null | undefined }) {
  return (
    <div class="error" role="alert" data-testid={testid}>
      {error ?? ''}
    </div>
  );
}

/** "7 / 20 this hour" with a bar, and when the window frees up. */
export function Meter({ used, max, label, note, testid }: { used: number; max: number | null; label: string; note?: string | null; testid?: string }) {
  const full = max !== null && used >= max;
  const pct = max === null ? 0 : Math.min(100, (used / Math.max(1, max)) * 100);
  return (
    <div class={`w-meter${full ? ' full' : ''}`} data-testid={testid}>
      {max !== null && (
        <div class="bar" role="meter" aria-valuemin={0} aria-valuemax={max} aria-valuenow={used} aria-label={label}>
          <span style={{ width: `${pct}%` }} />
        </div>
      )}
      <div class="text">
        <span data-testid={testid ? `${testid}-text` : undefined}>{label}</span>
        {note && <span class="muted">{note}</span>}
      </div>
    </div>
  );
}

export function Empty({ children, testid }: { children: ComponentChildren; testid?: string }) {
  return (
    <p class="w-empty" data-testid={testid}>
      {children}
    </p>
  );
}
