// Building the page. Everything that comes from the API is put into the page as text (text nodes,
// textContent, attribute values): never as markup. The Content-Security-Policy requires Trusted Types,
// so an assignment of a string to innerHTML would throw anyway; this module does not try.

const SVG_NS = 'http://www.w3.org/2000/svg';
const FORBIDDEN = new Set(['innerHTML', 'outerHTML', 'srcdoc']);
let idCounter = 0;

/** A fresh id for label/input pairs. */
export function uid(prefix = 'f') {
  idCounter += 1;
  return `${prefix}-${idCounter}`;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) {
      continue;
    }
    if (Array.isArray(child)) {
      append(el, child);
    } else if (child instanceof Node) {
      el.appendChild(child);
    } else {
      el.appendChild(document.createTextNode(String(child)));
    }
  }
}

function applyProps(el, props, svg) {
  for (const [key, value] of Object.entries(props || {})) {
    if (value === null || value === undefined) {
      continue;
    }
    if (FORBIDDEN.has(key)) {
      throw new Error(`${key} is not used by this console`);
    }
    if (key === 'on') {
      for (const [event, handler] of Object.entries(value)) {
        el.addEventListener(event, handler);
      }
    } else if (key === 'class') {
      el.setAttribute('class', Array.isArray(value) ? value.filter(Boolean).join(' ') : value);
    } else if (key === 'dataset') {
      Object.assign(el.dataset, value);
    } else if (svg || key.startsWith('aria-') || key.startsWith('data-') || key === 'list' || key === 'form'
        || !(key in el)) {
      // attributes: aria-*, for, tabindex, minlength, inputmode, datetime, and read-only properties;
      // false leaves the attribute out
      if (value !== false) {
        el.setAttribute(key, value === true ? '' : String(value));
      }
    } else {
      // properties, false included (disabled: false, spellcheck: false)
      el[key] = value;
    }
  }
}

/** An HTML element: h('p', {class: 'x'}, 'text', child). Strings become text nodes. */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  applyProps(el, props, false);
  append(el, children);
  return el;
}

/** An SVG element (attributes only). */
export function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  applyProps(el, attrs, true);
  append(el, children);
  return el;
}

/** Replaces an element's children. */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

// ---- times and numbers -------------------------------------------------------------------------

const TIME_ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone || 'local time';

export function timeZoneName() {
  return TIME_ZONE;
}

function pad(n, width = 2) {
  return String(n).padStart(width, '0');
}

/** 2026-11-27 11:09:35 in the browser's time zone, or '—'. */
export function formatTime(iso) {
  if (!iso) {
    return '—';
  }
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) {
    return String(iso);
  }
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} `
      + `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** A <time> element: local time as text, the UTC value in datetime and title. */
export function time(iso) {
  if (!iso) {
    return h('span', {class: 'none'}, '—');
  }
  return h('time', {datetime: iso, title: `${iso} (UTC)`}, formatTime(iso));
}

/** 65000 → "1:05"; 3723000 → "1:02:03". */
export function formatDuration(ms) {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) {
    return '—';
  }
  const total = Math.max(0, Math.round(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  return hours > 0 ? `${hours}:${pad(minutes)}:${pad(seconds)}` : `${minutes}:${pad(seconds)}`;
}

/** "12 s", "3 min 4 s" for a span of time a person reads. */
export function formatSpan(ms) {
  const total = Math.max(0, Math.round(ms / 1000));
  if (total < 60) {
    return `${total} s`;
  }
  const minutes = Math.floor(total / 60);
  const seconds = total % 60;
  return seconds === 0 ? `${minutes} min` : `${minutes} min ${seconds} s`;
}

export function formatBytes(n) {
  if (n === null || n === undefined) {
    return '—';
  }
  if (n < 1024) {
    return `${n} bytes`;
  }
  if (n < 1024 * 1024) {
    return `${(n / 1024).toFixed(1)} KiB`;
  }
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

/** A value from a datetime-local input as UTC ISO-8601, or undefined when empty. */
export function localInputToIso(value) {
  if (!value) {
    return undefined;
  }
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

export function shortId(id) {
  return id ? String(id).slice(0, 8) : '—';
}

// ---- building blocks ---------------------------------------------------------------------------

/** A labelled form field. The input gets an id and, with a hint, aria-describedby. */
export function field(label, input, hint) {
  if (!input.id) {
    input.id = uid('field');
  }
  const children = [h('label', {for: input.id}, label), input];
  if (hint) {
    const hintId = uid('hint');
    input.setAttribute('aria-describedby', hintId);
    children.push(h('p', {class: 'hint', id: hintId}, hint));
  }
  return h('div', {class: 'field'}, children);
}

/** A <select> with [value, text] options. */
export function select(name, options, value) {
  const el = h('select', {name});
  for (const [v, text] of options) {
    el.appendChild(h('option', {value: v, selected: v === value}, text));
  }
  return el;
}

/** A status line that screen readers announce: kind is 'ok', 'error', 'info' or 'warn'. */
export function message(kind, ...text) {
  return h('p', {class: `message message-${kind}`, role: kind === 'error' ? 'alert' : 'status'}, ...text);
}

/** Shows a message in a region (replacing what was there). */
export function say(region, kind, ...text) {
  replace(region, message(kind, ...text));
}

/** A region whose messages are announced. */
export function messageRegion() {
  return h('div', {class: 'message-region', 'aria-live': 'polite'});
}

/**
 * A table: columns are {title, cell(row) → Node|string, class?}. The wrapper scrolls sideways on
 * narrow screens and can be scrolled with the keyboard.
 */
export function table(caption, columns, rows, options = {}) {
  const head = h('thead', {}, h('tr', {}, columns.map((c) => h('th', {scope: 'col', class: c.class}, c.title))));
  const body = h('tbody', {});
  for (const row of rows) {
    const tr = h('tr', {class: options.rowClass ? options.rowClass(row) : null},
        columns.map((c) => h('td', {class: c.class}, c.cell(row))));
    body.appendChild(tr);
  }
  const t = h('table', {}, h('caption', {class: options.captionVisible ? null : 'visually-hidden'}, caption), head, body);
  if (rows.length === 0) {
    return h('div', {class: 'table-wrap'}, h('p', {class: 'empty'}, options.empty || 'Nothing to show.'));
  }
  return h('div', {class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': caption}, t);
}

/**
 * The mark of an item whose processing is restricted (GDPR Art. 18): the word itself, so it is read
 * out and seen without colour; the title says what it means.
 */
export function restrictedMark() {
  return h('span', {class: 'badge badge-restricted', title: 'Processing restricted (GDPR Art. 18): kept, '
      + 'but played or exported only by compliance for legal claims'}, 'Restricted');
}

/** A definition list from [term, value] pairs (values may be nodes). */
export function facts(pairs) {
  const dl = h('dl', {class: 'facts'});
  for (const [term, value] of pairs) {
    if (value === undefined) {
      continue;
    }
    dl.appendChild(h('dt', {}, term));
    dl.appendChild(h('dd', {}, value === null || value === '' ? '—' : value));
  }
  return dl;
}

/** A button that runs an async action, disabled while it runs. */
export function actionButton(text, action, props = {}) {
  const button = h('button', {type: 'button', ...props}, text);
  button.addEventListener('click', async () => {
    if (button.disabled) {
      return;
    }
    button.disabled = true;
    try {
      await action(button);
    } finally {
      if (button.isConnected) {
        button.disabled = false;
      }
    }
  });
  return button;
}

/**
 * A button for an action that cannot be undone: the first press asks ("Revoke?" → "Press again to
 * revoke"), the second within a few seconds does it.
 */
export function confirmButton(text, confirmText, action, props = {}) {
  let armed = null;
  const label = props['aria-label'] || null;
  const show = (b, t, l) => {
    b.textContent = t;
    if (l) {
      b.setAttribute('aria-label', l);
    }
  };
  const button = actionButton(text, async (b) => {
    if (!armed) {
      show(b, confirmText, label && `${confirmText}: ${label}`);
      armed = setTimeout(() => {
        armed = null;
        if (b.isConnected) {
          show(b, text, label);
        }
      }, 5000);
      return;
    }
    clearTimeout(armed);
    armed = null;
    await action(b);
  }, props);
  return button;
}

/**
 * Wires a form: on submit (Enter or the button) runs handler(form data as an object), with the
 * submit button disabled meanwhile. The browser's own validation runs first.
 */
export function onSubmit(form, handler) {
  form.setAttribute('novalidate', '');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!form.reportValidity()) {
      return;
    }
    const buttons = form.querySelectorAll('button[type=submit]');
    buttons.forEach((b) => { b.disabled = true; });
    try {
      await handler(Object.fromEntries(new FormData(form).entries()), form);
    } finally {
      buttons.forEach((b) => { b.disabled = false; });
    }
  });
  return form;
}

/** Saves a Blob under a file name through a temporary object URL. */
export function saveBlob(blob, filename) {
  const url = URL.createObjectURL(blob);
  const a = h('a', {href: url, download: filename, class: 'visually-hidden'}, filename);
  document.body.appendChild(a);
  a.click();
  a.remove();
  // the download has its own copy once it started
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** Tabs within a screen: links to #/screen/sub, the current one marked for assistive technology. */
export function subNav(label, items, current) {
  return h('nav', {class: 'sub-nav', 'aria-label': label},
      h('ul', {}, items.map(([path, text]) => h('li', {},
          h('a', {href: `#/${path}`, 'aria-current': path === current ? 'page' : null}, text)))));
}
