// Audit (compliance, auditor): the trail, newest first, filtered; and the verification of its hash
// chain, with the head sequence and hash to keep elsewhere (the chain shows tampering only if
// someone keeps a copy of the head).
import * as api from '../api.js';
import {facts, field, formatTime, h, localInputToIso, message, messageRegion, onSubmit, replace, say, table, time} from '../dom.js';

const PAGE_SIZE = 50;
const ACTIONS = ['accounts.create', 'accounts.list', 'accounts.read', 'accounts.update', 'audit.search', 'audit.verify',
  'auth.login', 'auth.logout', 'calls.read', 'calls.search', 'consent.history', 'consent.read', 'consent.withdraw',
  'legal_holds.list', 'legal_holds.place', 'legal_holds.release', 'live_calls.list', 'live_calls.pause',
  'live_calls.resume', 'live_calls.stop', 'privacy.register', 'privacy_requests.create', 'privacy_requests.erase',
  'privacy_requests.export', 'privacy_requests.list', 'privacy_requests.overdue', 'privacy_requests.read',
  'privacy_requests.verify', 'recordings.play', 'recordings.read', 'recordings.search', 'retention.policy',
  'retention.run', 'retention.runs', 'statistics.daily', 'tokens.create', 'tokens.list', 'tokens.revoke'];

function target(row) {
  if (!row.target_type && !row.target_id) {
    return '—';
  }
  return [row.target_type || '', row.target_id ? [' ', h('code', {}, row.target_id)] : null];
}

function detail(row) {
  if (!row.detail || Object.keys(row.detail).length === 0) {
    return '—';
  }
  return h('code', {class: 'detail'}, JSON.stringify(row.detail));
}

export function render(container) {
  const status = messageRegion();
  const results = h('div', {});
  const verifyResult = h('div', {'aria-live': 'polite'});
  let filters = {};
  let cursors = [null];

  const datalist = h('datalist', {id: 'audit-actions'}, ACTIONS.map((a) => h('option', {value: a})));
  const from = h('input', {name: 'from', type: 'datetime-local', step: 1});
  const to = h('input', {name: 'to', type: 'datetime-local', step: 1});
  const actor = h('input', {name: 'actor', type: 'text', maxLength: 200, autocomplete: 'off'});
  const action = h('input', {name: 'action', type: 'text', maxLength: 64, list: 'audit-actions', autocomplete: 'off'});
  const targetInput = h('input', {name: 'target', type: 'text', maxLength: 200, autocomplete: 'off'});
  const outcome = h('input', {name: 'outcome', type: 'text', maxLength: 64, autocomplete: 'off'});
  const form = h('form', {class: 'filters', method: 'post', role: 'search', 'aria-label': 'Filter the audit trail'},
      field('From', from), field('To (not included)', to),
      field('Actor', actor, 'Account or token name or id'),
      field('Action', action, 'e.g. recordings.play'),
      field('Target', targetInput, 'A record id, or a caller\'s audit pseudonym'),
      field('Outcome', outcome, 'allowed, ok, denied, failed, …'),
      h('div', {class: 'actions'}, h('button', {type: 'submit', class: 'button-primary'}, 'Filter')),
      datalist);
  onSubmit(form, async (data) => {
    filters = {
      from: localInputToIso(data.from), to: localInputToIso(data.to), actor: data.actor.trim(),
      action: data.action.trim(), target: data.target.trim(), outcome: data.outcome.trim(),
    };
    cursors = [null];
    await load();
  });

  async function load() {
    say(status, 'info', 'Loading…');
    try {
      const page = await api.get('/audit', {...filters, limit: PAGE_SIZE, cursor: cursors[cursors.length - 1]});
      replace(status);
      const n = cursors.length;
      replace(results,
          table(`Audit trail, page ${n}, newest first`, [
            {title: 'Seq', cell: (r) => String(r.seq)},
            {title: 'When', cell: (r) => time(r.at)},
            {title: 'Actor', cell: (r) => (r.actor_name ? `${r.actor_name} (${r.actor_kind})` : r.actor_kind)},
            {title: 'Action', cell: (r) => r.action},
            {title: 'Target', cell: target},
            {title: 'Reason', cell: (r) => r.reason || '—'},
            {title: 'Outcome', cell: (r) => r.outcome},
            {title: 'Source', cell: (r) => r.source_address || '—'},
            {title: 'Detail', cell: detail},
          ], page.items, {empty: 'No audit row matches.'}),
          h('div', {class: 'pager'},
              h('button', {type: 'button', disabled: n === 1, on: {click: () => { cursors.pop(); load(); }}}, 'Newer'),
              h('span', {class: 'page-number'}, `Page ${n}`),
              h('button', {type: 'button', disabled: !page.next_cursor,
                on: {click: () => { cursors.push(page.next_cursor); load(); }}}, 'Older')));
    } catch (e) {
      say(status, 'error', `The audit trail cannot be loaded: ${e.message}`);
    }
  }

  async function verify(button) {
    button.disabled = true;
    replace(verifyResult, message('info', 'Verifying the whole chain…'));
    try {
      const report = await api.get('/audit/verify');
      // the head as the verifier read it, in its snapshot
      const headHash = report.head_seq > 0 ? report.head_hash : null;
      const hashField = h('input', {type: 'text', readOnly: true, class: 'hash', value: headHash || '—',
        id: 'audit-head-hash'});
      const copy = h('button', {type: 'button', class: 'button-small', on: {click: async () => {
        hashField.select();
        try {
          await navigator.clipboard.writeText(hashField.value);
          copy.textContent = 'Copied';
        } catch (e) {
          copy.textContent = 'Selected: press Ctrl+C';
        }
      }}}, 'Copy');
      replace(verifyResult,
          message(report.intact ? 'ok' : 'error', report.intact
            ? `Intact: all ${report.rows_checked} rows verified.`
            : `BROKEN at seq ${report.first_broken_seq}: ${report.problem}`),
          facts([
            ['Rows checked', String(report.rows_checked)],
            ['Head sequence', String(report.head_seq)],
            ['Anchors matched', String(report.anchors_checked)],
            ['Erased free texts', String(report.texts_erased)],
            ['Verified', formatTime(new Date().toISOString())],
          ]),
          h('div', {class: 'field'}, h('label', {for: 'audit-head-hash'}, 'Head hash (keep a copy elsewhere)'),
              h('div', {class: 'actions'}, hashField, copy)));
    } catch (e) {
      replace(verifyResult, message('error', `The verification failed: ${e.message}`));
    } finally {
      button.disabled = false;
    }
  }

  const verifyButton = h('button', {type: 'button', class: 'button-primary'}, 'Verify the chain');
  verifyButton.addEventListener('click', () => verify(verifyButton));
  replace(container,
      h('h1', {}, 'Audit'),
      h('section', {class: 'card', 'aria-labelledby': 'verify-heading'},
          h('h2', {id: 'verify-heading'}, 'Hash chain'),
          h('p', {}, 'Each row\'s hash covers the one before, so a changed, removed or inserted row breaks the chain.'),
          verifyButton, verifyResult),
      h('h2', {}, 'Trail'), form, status, results);
  load();
  return null;
}
