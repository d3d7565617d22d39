// Modal dialogs on the native <dialog> element: showModal() makes the rest of the page inert and
// Escape closes it; each dialog takes the focus when it opens, gives it back to the button that
// opened it when it closes, and is removed from the page once closed (so a secret it showed is
// left nowhere in the DOM).
import { h } from './dom.js';

let counter = 0;

/**
 * Opens a modal dialog. Its `close()` empties and removes it at once (not on the 'close' event,
 * which comes a task later): `onClose` runs first, then the focus goes back to the opener. Escape
 * closes it the same way.
 */
export function modal({ title, content, onClose, opener, focus }) {
  const id = `dialog-${++counter}`;
  const dialog = h('dialog', { 'aria-labelledby': `${id}-title` }, h('h2', { id: `${id}-title` }, title), content);
  // The opener may have been drawn again meanwhile (live updates): then its twin, by data-key.
  const key = opener?.getAttribute('data-key');
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    onClose?.();
    if (dialog.open) dialog.close();
    dialog.remove();
    const target = opener?.isConnected
      ? opener
      : key
        ? document.querySelector(`[data-key="${CSS.escape(key)}"]`)
        : null;
    target?.focus();
  };
  dialog.addEventListener('cancel', (event) => {
    event.preventDefault();
    close();
  });
  dialog.addEventListener('close', close);
  document.body.append(dialog);
  dialog.showModal();
  (focus ?? dialog.querySelector('[autofocus], input, select, button'))?.focus();
  return { dialog, close };
}

/**
 * Shows a secret or a key once, with a copy button. When the dialog closes, its text is emptied,
 * the dialog removed and the value dropped: it is never shown again.
 */
export function showOnce({ title, intro, value, opener }) {
  let secret = value;
  const output = h('code', { class: 'once', 'aria-label': title, tabindex: '0' }, secret);
  const status = h('p', { class: 'copy-status', role: 'status', 'aria-live': 'polite' });
  const copy = h(
    'button',
    {
      type: 'button',
      class: 'primary',
      onclick: async () => {
        try {
          await navigator.clipboard.writeText(secret);
          status.textContent = 'Copied to the clipboard.';
        } catch {
          getSelection().selectAllChildren(output);
          status.textContent = 'Selected: press Ctrl+C (⌘C) to copy.';
        }
      },
    },
    'Copy',
  );
  const { close } = modal({
    title,
    opener,
    focus: copy,
    content: [
      h('p', {}, intro),
      output,
      h('p', { class: 'warning' }, 'It is shown this once: copy it now. Closing this dialog removes it from the page.'),
      status,
      h('div', { class: 'actions' }, copy, h('button', { type: 'button', onclick: () => close() }, 'Done')),
    ],
    onClose: () => {
      output.textContent = '';
      secret = undefined;
    },
  });
}

/** Asks a yes/no question; resolves with true when confirmed. */
export function confirmDialog({ title, message, confirmLabel, opener, danger = false }) {
  return new Promise((resolve) => {
    let confirmed = false;
    const no = h('button', { type: 'button', onclick: () => close() }, 'Cancel');
    const yes = h(
      'button',
      { type: 'button', class: danger ? 'danger' : 'primary', onclick: () => ((confirmed = true), close()) },
      confirmLabel,
    );
    const { close } = modal({
      title,
      opener,
      focus: no,
      content: [h('p', {}, message), h('div', { class: 'actions' }, no, yes)],
      onClose: () => resolve(confirmed),
    });
  });
}

/**
 * A form in a dialog. `fields`: { name, label, type: 'select' | 'number' | 'checkbox' | 'password',
 * options: [[value, label]], hint, min, max, required }. `submit(values)` may throw an error with
 * `details` ([{field, message}]): shown in the dialog, which stays open.
 */
export function formDialog({ title, intro, fields, submitLabel, submit, opener, onClose }) {
  const id = `form-${++counter}`;
  const error = h('div', { class: 'form-error', role: 'alert' });
  const inputs = fields.map((f) => field(id, f));
  const form = h(
    'form',
    {
      novalidate: true,
      onsubmit: async (event) => {
        event.preventDefault();
        error.replaceChildren();
        const values = {};
        for (const f of fields) {
          const input = form.elements.namedItem(f.name);
          values[f.name] = f.type === 'checkbox' ? input.checked : input.value;
        }
        const button = form.querySelector('button[type=submit]');
        button.disabled = true;
        try {
          await submit(values);
          close();
        } catch (e) {
          const lines = (e.details ?? []).map((d) => h('li', {}, d.field ? `${d.field}: ${d.message}` : d.message));
          error.append(h('p', {}, e.message ?? 'The request failed.'), lines.length ? h('ul', {}, lines) : null);
        } finally {
          button.disabled = false;
        }
      },
    },
    intro ? h('p', {}, intro) : null,
    inputs,
    error,
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'button', onclick: () => close() }, 'Cancel'),
      h('button', { type: 'submit', class: 'primary' }, submitLabel),
    ),
  );
  const { close } = modal({ title, opener, content: form, onClose });
}

function field(formId, f) {
  const id = `${formId}-${f.name}`;
  const hintId = f.hint ? `${id}-hint` : undefined;
  let control;
  if (f.type === 'select') {
    control = h(
      'select',
      { id, name: f.name, 'aria-describedby': hintId },
      f.options.map(([value, label]) => h('option', { value, selected: value === f.value }, label)),
    );
  } else if (f.type === 'checkbox') {
    control = h('input', { id, name: f.name, type: 'checkbox', 'aria-describedby': hintId });
  } else {
    control = h('input', {
      id,
      name: f.name,
      type: f.type ?? 'text',
      inputmode: f.type === 'number' ? 'numeric' : undefined,
      min: f.min,
      max: f.max,
      required: f.required,
      autocomplete: 'off',
      'aria-describedby': hintId,
    });
  }
  const label = h('label', { for: id }, f.label);
  const hint = f.hint ? h('p', { id: hintId, class: 'hint' }, f.hint) : null;
  return h(
    'div',
    { class: f.type === 'checkbox' ? 'field checkbox' : 'field' },
    f.type === 'checkbox' ? [control, label] : [label, control],
    hint,
  );
}
