// Live calls, for agents: each call's state, and Pause / Resume / Stop with the result in words.
// The list refreshes by itself. Rows are updated in place, so the keyboard focus stays on the button
// the agent is on. The API gives no caller data here, only the Asterisk channel.
import * as api from '../api.js';
import {field, formatTime, h, message, messageRegion, replace, say, shortId} from '../dom.js';
import {controlResult, outcome} from '../words.js';

export const REFRESH_MS = 5000;

function recordingState(c) {
  if (!c.recording) {
    return 'Not recorded';
  }
  return c.paused ? 'Paused' : 'Recording';
}

export function render(container) {
  const status = messageRegion();
  const updated = h('p', {class: 'updated', 'aria-live': 'off'});
  const channel = h('input', {name: 'channel_id', type: 'text', autocomplete: 'off', maxLength: 128});
  const reason = h('input', {name: 'reason', type: 'text', autocomplete: 'off', maxLength: 500});
  const auto = h('input', {type: 'checkbox', checked: true, id: 'live-auto-refresh'});
  const tbody = h('tbody', {});
  const empty = h('p', {class: 'empty', hidden: true}, 'No live calls right now.');
  const tableEl = h('table', {class: 'live-calls'},
      h('caption', {class: 'visually-hidden'}, 'Live calls'),
      h('thead', {}, h('tr', {}, ['Call', 'Channel', 'Phase', 'Consent', 'Recording', 'Control', 'Result']
          .map((t) => h('th', {scope: 'col'}, t)))),
      tbody);
  const rows = new Map();
  let timer = null;
  let busy = 0;

  function row(c) {
    const cells = {
      call: h('td', {}, h('code', {title: c.call_id}, shortId(c.call_id))),
      channel: h('td', {}),
      phase: h('td', {}),
      outcome: h('td', {}),
      state: h('td', {class: 'state'}),
      result: h('td', {class: 'result', 'aria-live': 'polite'}),
    };
    const pause = h('button', {type: 'button', on: {click: () => control(c.call_id, 'pause', entry)}}, 'Pause');
    const resume = h('button', {type: 'button', on: {click: () => control(c.call_id, 'resume', entry)}}, 'Resume');
    const stop = h('button', {type: 'button', class: 'button-danger', on: {click: () => confirmStop(entry)}}, 'Stop…');
    const controls = h('td', {class: 'controls'}, pause, ' ', resume, ' ', stop);
    const tr = h('tr', {dataset: {callId: c.call_id}},
        cells.call, cells.channel, cells.phase, cells.outcome, cells.state, controls, cells.result);
    const entry = {tr, cells, controls, buttons: {pause, resume, stop}, call: c};
    return entry;
  }

  function fill(entry, c) {
    entry.call = c;
    const label = `call ${shortId(c.call_id)}`;
    entry.cells.channel.textContent = c.channel_id;
    entry.cells.phase.textContent = c.phase;
    entry.cells.outcome.textContent = outcome(c.outcome);
    entry.cells.state.textContent = recordingState(c);
    entry.tr.classList.toggle('is-paused', Boolean(c.recording && c.paused));
    entry.buttons.pause.setAttribute('aria-label', `Pause the recording of ${label}`);
    entry.buttons.resume.setAttribute('aria-label', `Resume the recording of ${label}`);
    entry.buttons.stop.setAttribute('aria-label', `Stop and discard the recording of ${label}`);
    entry.buttons.pause.disabled = !c.recording || c.paused;
    entry.buttons.resume.disabled = !c.recording || !c.paused;
    entry.buttons.stop.disabled = !c.recording;
  }

  function confirmStop(entry) {
    const id = entry.call.call_id;
    const yes = h('button', {type: 'button', class: 'button-danger', on: {click: () => control(id, 'stop', entry)}},
        'Stop and discard');
    const no = h('button', {type: 'button', on: {click: () => {
      replace(entry.cells.result);
      entry.buttons.stop.focus();
    }}}, 'Cancel');
    replace(entry.cells.result, h('span', {role: 'group', 'aria-label': 'Confirm stop'},
        'Discard this call\'s recording? This cannot be undone. ', yes, ' ', no));
    yes.focus();
  }

  async function control(id, action, entry) {
    busy += 1;
    replace(entry.cells.result, message('info', 'Sending…'));
    try {
      const body = reason.value.trim() ? {reason: reason.value.trim()} : {};
      const result = await api.post(`/live-calls/${encodeURIComponent(id)}/${action}`, body);
      const [kind, text] = controlResult(result.status);
      replace(entry.cells.result, message(kind, text));
    } catch (e) {
      // 404, 409, 502 and 504 carry the control's status too: say what happened in the same words
      const [kind, text] = e.body && typeof e.body.status === 'string' ? controlResult(e.body.status) : ['error', e.message];
      replace(entry.cells.result, message(kind, text));
    } finally {
      busy -= 1;
      const focused = entry.tr.contains(document.activeElement);
      await refresh();
      if (focused && entry.tr.isConnected && !entry.tr.contains(document.activeElement)) {
        entry.buttons.pause.disabled ? entry.buttons.resume.focus() : entry.buttons.pause.focus();
      }
    }
  }

  async function refresh() {
    try {
      const page = await api.get('/live-calls', {channel_id: channel.value.trim() || undefined, limit: 200});
      const seen = new Set();
      for (const c of page.items) {
        seen.add(c.call_id);
        let entry = rows.get(c.call_id);
        if (!entry) {
          entry = row(c);
          rows.set(c.call_id, entry);
          tbody.appendChild(entry.tr);
        }
        fill(entry, c);
      }
      for (const [id, entry] of rows) {
        if (!seen.has(id)) {
          entry.tr.remove();
          rows.delete(id);
        }
      }
      empty.hidden = rows.size > 0;
      tableEl.hidden = rows.size === 0;
      updated.textContent = `Updated ${formatTime(new Date().toISOString()).slice(11)}`
          + (auto.checked ? `, every ${REFRESH_MS / 1000} s` : '');
      if (status.textContent) {
        replace(status);
      }
    } catch (e) {
      say(status, 'error', `The live calls cannot be loaded: ${e.message}`);
    }
  }

  function schedule() {
    clearInterval(timer);
    timer = auto.checked ? setInterval(() => {
      if (busy === 0 && !document.hidden) {
        refresh();
      }
    }, REFRESH_MS) : null;
  }
  auto.addEventListener('change', () => {
    schedule();
    refresh();
  });
  const filter = h('form', {class: 'filters', method: 'post', role: 'search', 'aria-label': 'Find a live call'},
      field('Channel id', channel, 'The Asterisk channel your desk shows; empty for all'),
      field('Reason (optional)', reason, 'Goes to the audit trail with each control'),
      h('div', {class: 'actions'}, h('button', {type: 'submit'}, 'Show')));
  filter.addEventListener('submit', (event) => {
    event.preventDefault();
    refresh();
  });

  tableEl.hidden = true;
  replace(container,
      h('h1', {}, 'Live calls'),
      h('p', {class: 'lede'}, 'Pause the recording before a caller gives card details; resume it afterwards. '
          + 'Stop discards the recording (the caller withdrew consent).'),
      filter,
      h('div', {class: 'refresh'}, auto, h('label', {for: 'live-auto-refresh'}, 'Refresh automatically'), ' ', updated),
      status,
      h('div', {class: 'table-wrap'}, tableEl, empty));
  refresh();
  schedule();
  return () => clearInterval(timer);
}
