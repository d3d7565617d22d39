// DOM helpers. Every node is built with createElement and text nodes: nothing is ever parsed from
// a string as markup, so nothing the mock shows (a URL, an id, a path) can become markup.

/**
 * h('button', { class: 'x', 'aria-label': '…', onclick: fn }, 'text', child, …)
 * Attributes are set with setAttribute (false/null/undefined ones are left out), `on…` keys add
 * listeners, children are nodes or strings (as text), arrays are flattened, null is skipped.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === false || v === null || v === undefined) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

/** Replaces an element's children, keeping the keyboard focus on the element of the same data-key. */
export function replaceChildren(container, ...children) {
  const active = document.activeElement;
  const key = active && container.contains(active) ? active.getAttribute('data-key') : null;
  container.replaceChildren();
  append(container, children);
  if (key) {
    const again = [...container.querySelectorAll('[data-key]')].find((e) => e.getAttribute('data-key') === key);
    again?.focus();
  }
}

export const $ = (selector) => document.querySelector(selector);

/** 14:03:07.512, local time. */
export function clock(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  const pad = (n, w = 2) => String(n).padStart(w, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** 2 min ago, 3 h ago, … */
export function ago(iso, now = Date.now()) {
  const s = Math.max(0, Math.round((now - new Date(iso).getTime()) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86400)} d ago`;
}

/** A fingerprint as a chip; the colour comes from the fingerprint itself and only repeats the text. */
export function fingerprintChip(fp, extra = {}) {
  const hue = parseInt(fp.slice(0, 4), 16) % 360;
  return h('span', { class: `fp hue-${Math.floor(hue / 30)}`, title: `secret fingerprint ${fp}`, ...extra }, fp);
}

/** A short id for tight columns: wh_end_TB06F09y… (the whole id in the title). */
export function shortId(id, keep = 14) {
  return id.length > keep + 1 ? h('span', { title: id }, `${id.slice(0, keep)}…`) : h('span', {}, id);
}

export function visuallyHidden(text) {
  return h('span', { class: 'visually-hidden' }, text);
}
