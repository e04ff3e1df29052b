// Calls: search by caller, time range, outcome and "has recording"; newest first, a page at a time.
// #/calls/<id> opens one call. The filters stay in memory (never in the URL: a caller number is
// personal data), so "Back to the calls" shows the same page again.
import * as api from '../api.js';
import {field, h, localInputToIso, messageRegion, onSubmit, replace, restrictedMark, say, select, table, time} from '../dom.js';
import {OUTCOMES, outcome} from '../words.js';
import * as call from './call.js';

const PAGE_SIZE = 25;
let search = {filters: {}, cursors: [null], form: {}};

/** Forgets the last search (a caller number, perhaps) when the session ends: the next person must not see it. */
export function forget() {
  search = {filters: {}, cursors: [null], form: {}};
}

export function render(container, {params}) {
  if (params.length > 0) {
    return call.render(container, params[0]);
  }
  const status = messageRegion();
  const results = h('div', {class: 'results'});
  const f = search.form;

  const caller = h('input', {name: 'caller', type: 'tel', autocomplete: 'off', maxLength: 64, value: f.caller || ''});
  const from = h('input', {name: 'from', type: 'datetime-local', step: 1, value: f.from || ''});
  const to = h('input', {name: 'to', type: 'datetime-local', step: 1, value: f.to || ''});
  const outcomeSelect = select('outcome', [['', 'Any'], ...OUTCOMES], f.outcome || '');
  const recording = select('has_recording', [['', 'Any'], ['true', 'With a recording'], ['false', 'Without']],
      f.has_recording || '');
  const form = h('form', {class: 'filters', method: 'post', role: 'search', 'aria-label': 'Search calls'},
      field('Caller number', caller, 'As dialled or international, e.g. +49 30 1234567'),
      field('From', from),
      field('To (not included)', to),
      field('Outcome', outcomeSelect),
      field('Recording', recording),
      h('div', {class: 'actions'},
          h('button', {type: 'submit', class: 'button-primary'}, 'Search'),
          h('button', {type: 'button', class: 'button-quiet', on: {click: clear}}, 'Clear')));

  async function load() {
    say(status, 'info', 'Searching…');
    const cursor = search.cursors[search.cursors.length - 1];
    try {
      // POST, not GET: a caller number in a URL would land in proxy and access logs
      const page = await api.post('/calls/search', {...search.filters, limit: PAGE_SIZE, cursor});
      replace(status);
      show(page);
    } catch (e) {
      say(status, 'error', `The search failed: ${e.message}`);
    }
  }

  function show(page) {
    const pageNumber = search.cursors.length;
    const newer = h('button', {type: 'button', disabled: pageNumber === 1, on: {click: () => {
      search.cursors.pop();
      load();
    }}}, 'Newer');
    const older = h('button', {type: 'button', disabled: !page.next_cursor, on: {click: () => {
      search.cursors.push(page.next_cursor);
      load();
    }}}, 'Older');
    replace(results,
        table(`Calls, page ${pageNumber}, newest first`, [
          {title: 'Started', cell: (c) => h('a', {href: `#/calls/${encodeURIComponent(c.id)}`, class: 'call-link'},
              h('span', {class: 'visually-hidden'}, 'Open the call of '), time(c.started_at))},
          // Art. 18: a restricted call is marked in the list, before anyone opens it to play it
          {title: 'Restriction', cell: (c) => (c.restricted ? restrictedMark() : '—')},
          {title: 'Caller', cell: (c) => c.caller || '—'},
          {title: 'Outcome', cell: (c) => outcome(c.outcome)},
          {title: 'Recording', cell: (c) => (c.has_recording ? 'yes' : (c.recording ? c.recording.state : 'no'))},
          {title: 'Ended', cell: (c) => time(c.ended_at)},
        ], page.items, {empty: 'No call matches.', rowClass: (c) => (c.restricted ? 'is-restricted' : null)}),
        h('div', {class: 'pager'}, newer, h('span', {class: 'page-number'}, `Page ${pageNumber}`), older));
  }

  function clear() {
    form.reset();
    caller.value = '';
    from.value = '';
    to.value = '';
    outcomeSelect.value = '';
    recording.value = '';
    search.form = {};
    search.filters = {};
    search.cursors = [null];
    load();
  }

  onSubmit(form, async (data) => {
    search.form = data;
    search.filters = {
      caller: data.caller.trim() || undefined,
      from: localInputToIso(data.from),
      to: localInputToIso(data.to),
      outcome: data.outcome || undefined,
      has_recording: data.has_recording || undefined,
    };
    search.cursors = [null];
    await load();
  });

  replace(container, h('h1', {}, 'Calls'), form, status, results);
  load();
  return null;
}
