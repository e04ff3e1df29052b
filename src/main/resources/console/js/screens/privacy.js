// Privacy (compliance): data-subject requests (access, erasure) with due dates, the export, erasure
// with its verification; legal holds; restrictions of processing (Art. 18); the consent registry
// (lookup, withdrawal). Four tabs: #/privacy/requests, #/privacy/holds, #/privacy/restrictions,
// #/privacy/consent.
import * as api from '../api.js';
import * as session from '../session.js';
import {actionButton, facts, field, formatBytes, formatTime, h, localInputToIso, message, messageRegion, onSubmit, replace,
  restrictedMark, say, saveBlob, select, shortId, subNav, table, time} from '../dom.js';
import {lawfulBasis, outcome, yesNo} from '../words.js';

const TABS = [
  ['privacy/requests', 'Requests', 'handle_subject_requests'],
  ['privacy/holds', 'Legal holds', 'manage_legal_holds'],
  ['privacy/restrictions', 'Restrictions', 'restrict_processing'],
  ['privacy/consent', 'Consent registry', 'search'],
];

export function render(container, {params}) {
  const tabs = TABS.filter(([, , permission]) => session.can(permission));
  const current = tabs.find(([path]) => path === `privacy/${params[0] || ''}`) || tabs[0];
  if (!current) {
    replace(container, h('h1', {}, 'Privacy'), message('info', 'Your role has no privacy task.'));
    return null;
  }
  const body = h('div', {});
  replace(container, h('h1', {}, 'Privacy'),
      subNav('Privacy tasks', tabs.map(([path, text]) => [path, text]), current[0]),
      body);
  if (current[0] === 'privacy/requests') {
    requests(body);
  } else if (current[0] === 'privacy/holds') {
    holds(body);
  } else if (current[0] === 'privacy/restrictions') {
    restrictions(body);
  } else {
    consent(body);
  }
  return null;
}

// ---- requests ----------------------------------------------------------------------------------

function verification(v) {
  if (!v) {
    return h('p', {}, 'Not verified yet.');
  }
  const list = (o) => {
    const entries = Object.entries(o || {}).filter(([, n]) => n > 0);
    return entries.length === 0 ? 'none' : entries.map(([k, n]) => `${k}: ${n}`).join(', ');
  };
  return h('div', {class: 'verification'},
      message(v.clean ? 'ok' : 'error', v.clean
        ? 'Verified: nothing decryptable or identifying about this caller is left.'
        : 'Not clean: something about this caller is still there (see below). Run the erasure again.'),
      facts([
        ['Checked', time(v.checked_at)],
        ['Recording ciphertext left', String(v.ciphertext_chunks_remaining)],
        ['Caller\'s key still exists', yesNo(v.subject_key_exists)],
        ['Rows still naming the caller', list(v.rows_with_subject_identifiers)],
        ['Kept under a legal hold', list(v.rows_kept_under_legal_hold)],
        ['Collected after the erasure began', list(v.rows_collected_after_the_erasure_began)],
        ['Copies left on Asterisk', v.asterisk_copies_remaining === null ? 'not checked'
          : (v.asterisk_copies_remaining.length === 0 ? 'none' : v.asterisk_copies_remaining.join(', '))],
      ]));
}

function statusText(r) {
  switch (r.status) {
    case 'open': return 'open';
    case 'completed': return 'completed';
    case 'partially_completed': return 'partly done (legal hold)';
    default: return r.status;
  }
}

function requests(body) {
  const status = messageRegion();
  const detail = h('div', {class: 'request-detail', 'aria-live': 'polite'});
  const list = h('div', {});
  const filter = {status: '', kind: '', overdue: false};

  const kind = select('kind', [['access', 'Access'], ['erasure', 'Erasure']], 'access');
  const caller = h('input', {name: 'caller', type: 'tel', required: true, maxLength: 64, autocomplete: 'off'});
  const received = h('input', {name: 'received_at', type: 'datetime-local', step: 1});
  const note = h('input', {name: 'note', type: 'text', maxLength: 500, autocomplete: 'off'});
  const form = h('form', {class: 'form-grid', method: 'post', 'aria-label': 'Register a request'},
      h('h2', {class: 'wide'}, 'Register a request'),
      field('Kind', kind, 'Access: a copy of their data. Erasure: delete it.'),
      field('Caller number', caller),
      field('Received', received, 'When the caller asked; empty means now. The due date counts from here.'),
      field('Note', note, 'e.g. the ticket number'),
      h('div', {class: 'actions'}, h('button', {type: 'submit', class: 'button-primary'}, 'Register')));
  onSubmit(form, async (data) => {
    try {
      const created = await api.post('/privacy/requests', {kind: data.kind, caller: data.caller.trim(),
        received_at: localInputToIso(data.received_at), note: data.note.trim() || undefined});
      form.reset();
      await load();
      say(status, 'ok', `Registered: ${created.kind} request, due ${formatTime(created.due_at).slice(0, 10)}.`);
      show(created);
    } catch (e) {
      say(status, 'error', `Not registered: ${e.message}`);
    }
  });

  const statusFilter = select('status', [['', 'Any'], ['open', 'Open'], ['completed', 'Completed'],
    ['partially_completed', 'Partly done']], '');
  const kindFilter = select('kind', [['', 'Any'], ['access', 'Access'], ['erasure', 'Erasure']], '');
  const overdue = h('input', {type: 'checkbox', name: 'overdue', id: 'requests-overdue'});
  const filterForm = h('form', {class: 'filters', method: 'post', role: 'search', 'aria-label': 'Filter requests'},
      field('Status', statusFilter), field('Kind', kindFilter),
      h('div', {class: 'choice'}, overdue, h('label', {for: 'requests-overdue'}, 'Only overdue')),
      h('div', {class: 'actions'}, h('button', {type: 'submit'}, 'Show')));
  filterForm.addEventListener('submit', (event) => {
    event.preventDefault();
    filter.status = statusFilter.value;
    filter.kind = kindFilter.value;
    filter.overdue = overdue.checked;
    load();
  });

  async function load() {
    try {
      const page = await api.get('/privacy/requests', {status: filter.status, kind: filter.kind,
        overdue: filter.overdue ? 'true' : undefined, limit: 200});
      replace(list, table('Data-subject requests, due soonest first', [
        {title: 'Kind', cell: (r) => r.kind},
        {title: 'Caller', cell: (r) => (r.restricted ? [r.caller, ' ', restrictedMark()] : r.caller)},
        {title: 'Received', cell: (r) => time(r.received_at)},
        {title: 'Due', cell: (r) => [time(r.due_at), r.overdue ? [' ', h('span', {class: 'badge badge-overdue'}, 'Overdue')] : null]},
        {title: 'Status', cell: (r) => statusText(r)},
        {title: '', cell: (r) => actions(r)},
      ], page.items, {empty: 'No request matches.', rowClass: (r) => (r.overdue ? 'is-overdue' : null)}));
    } catch (e) {
      replace(list, message('error', `The requests cannot be loaded: ${e.message}`));
    }
  }

  function actions(r) {
    const label = `${r.kind} request ${shortId(r.id)}`;
    const out = [actionButton('Details', async () => show(await api.get(`/privacy/requests/${r.id}`)),
        {class: 'button-small', 'aria-label': `Details of the ${label}`})];
    if (r.kind === 'access' && session.can('export')) {
      // a restricted caller's data leaves only for legal claims (Art. 18(2)), stated by compliance with a reason
      out.push(' ', r.restricted
        ? (session.can('restrict_processing') ? actionButton('Export for legal claims…', () => legalClaimsExport(r),
          {class: 'button-small', 'aria-label': `Export the ${label} for legal claims`}) : null)
        : actionButton('Download export', () => exportOf(r), {class: 'button-small',
          'aria-label': `Download the export of the ${label}`}));
    }
    if (r.kind === 'erasure' && session.can('erasure')) {
      out.push(' ', r.status === 'completed'
        ? actionButton('Verify again', () => verify(r), {class: 'button-small', 'aria-label': `Verify the ${label} again`})
        : h('button', {type: 'button', class: 'button-small button-danger', 'aria-label': `Run the ${label}`,
          on: {click: () => confirmErase(r)}}, 'Run erasure…'));
    }
    return out;
  }

  function show(r) {
    replace(detail, h('section', {class: 'card', 'aria-labelledby': 'request-heading'},
        h('h2', {id: 'request-heading', tabindex: -1}, `${r.kind === 'erasure' ? 'Erasure' : 'Access'} request`),
        facts([
          ['Caller', r.caller],
          ['Processing', r.restricted ? [restrictedMark(), ' restricted (GDPR Art. 18): exported only for legal claims']
            : 'not restricted'],
          ['Status', statusText(r)],
          ['Received', time(r.received_at)],
          ['Due', [time(r.due_at), r.overdue ? [' ', h('span', {class: 'badge badge-overdue'}, 'Overdue')] : null]],
          ['Registered by', `${r.created_by}, ${formatTime(r.created_at)}`],
          ['Handled by', r.handled_by || '—'],
          ['Completed', time(r.completed_at)],
          ['Attempts', String(r.attempts)],
          ['Last error', r.last_error || '—'],
          ['Note', r.note || '—'],
          ['Request id', r.id],
        ]),
        r.kind === 'erasure' ? [h('h3', {}, 'Verification'), verification(r.verification)] : null));
    detail.querySelector('h2').focus();
  }

  async function exportOf(r) {
    say(status, 'info', 'Preparing the export…');
    try {
      const fetched = await api.download(`/privacy/requests/${r.id}/export`, {});
      const name = fetched.filename || `subject-export-${r.id}.zip`;
      saveBlob(fetched.blob, name);
      say(status, 'ok', `Export saved as ${name} (${formatBytes(fetched.blob.size)}); the request is completed.`);
      await load();
    } catch (e) {
      say(status, 'error', `The export failed: ${e.message}`);
    }
  }

  /**
   * The export of a caller whose processing is restricted: the purpose (legal claims) is a required
   * choice and the claim a required reason; both go to the server in a POST body and into the audit trail.
   */
  function legalClaimsExport(r) {
    const purpose = h('input', {type: 'checkbox', name: 'purpose', value: 'legal_claims', required: true,
      id: 'legal-claims-export'});
    const reason = h('input', {name: 'reason', type: 'text', required: true, minLength: 3, maxLength: 500,
      autocomplete: 'off'});
    const exportStatus = messageRegion();
    const form = h('form', {class: 'reason-form', method: 'post', 'aria-label': 'Export for legal claims'},
        h('div', {class: 'choice'}, purpose, h('label', {for: purpose.id},
            'I export it for the establishment, exercise or defence of legal claims (GDPR Art. 18(2))')),
        field('Which legal claim', reason, 'Written to the audit trail with your name and the purpose "legal '
            + 'claims", e.g. "claim 2026-31: the caller sues over the contract" (3 to 500 characters).'),
        h('button', {type: 'submit', class: 'button-primary'}, 'Export for legal claims'));
    onSubmit(form, async (data) => {
      say(exportStatus, 'info', 'Preparing the export…');
      try {
        const fetched = await api.downloadPosted(`/privacy/requests/${encodeURIComponent(r.id)}/export`,
            {purpose: data.purpose, reason: data.reason.trim()});
        const name = fetched.filename || `subject-export-${r.id}.zip`;
        saveBlob(fetched.blob, name);
        form.reset();
        say(exportStatus, 'ok', `Export saved as ${name} (${formatBytes(fetched.blob.size)}), for legal claims; `
            + 'the request is completed.');
        await load();
      } catch (e) {
        say(exportStatus, 'error', `The export failed: ${e.message}`);
      }
    });
    replace(detail, h('section', {class: 'card', 'aria-labelledby': 'legal-claims-heading'},
        h('h2', {id: 'legal-claims-heading', tabindex: -1}, 'Export for legal claims'),
        facts([['Caller', r.caller], ['Received', time(r.received_at)], ['Request id', r.id]]),
        message('warn', restrictedMark(), ' Processing of this caller\'s data is restricted (GDPR Art. 18): it is '
            + 'exported only for the establishment, exercise or defence of legal claims. Say which claim.'),
        form, exportStatus));
    detail.querySelector('h2').focus();
  }

  function confirmErase(r) {
    const yes = actionButton('Erase everything about this caller', async () => {
      say(status, 'info', 'Erasing…');
      try {
        const done = await api.post(`/privacy/requests/${r.id}/erase`);
        say(status, done.status === 'completed' ? 'ok' : 'warn', done.status === 'completed'
          ? 'Erasure completed.' : `Erasure ${statusText(done)}: ${done.last_error || 'calls under a legal hold were kept'}.`);
        await load();
        show(done);
      } catch (e) {
        say(status, 'error', `The erasure failed: ${e.message}`);
      }
    }, {class: 'button-danger'});
    const no = h('button', {type: 'button', on: {click: () => replace(detail)}}, 'Cancel');
    replace(detail, h('section', {class: 'card', role: 'group', 'aria-labelledby': 'erase-heading'},
        h('h2', {id: 'erase-heading'}, 'Run the erasure?'),
        h('p', {}, `Every recording of ${r.caller} is destroyed and the caller's key deleted, so no backup can `
            + 'decrypt them; identifiers in calls and evidence are replaced. This cannot be undone. '
            + 'Calls under a legal hold are kept.'),
        h('div', {class: 'actions'}, yes, no)));
    yes.focus();
  }

  async function verify(r) {
    try {
      const answer = await api.post(`/privacy/requests/${r.id}/verify`);
      show({...(await api.get(`/privacy/requests/${r.id}`)), verification: answer.verification});
    } catch (e) {
      say(status, 'error', `The verification failed: ${e.message}`);
    }
  }

  replace(body, form, status, detail, h('h2', {}, 'Requests'), filterForm, list);
  load();
}

// ---- legal holds -------------------------------------------------------------------------------

function holds(body) {
  const status = messageRegion();
  const list = h('div', {});
  let activeOnly = true;

  const scopeCall = h('input', {type: 'radio', name: 'scope', value: 'call', checked: true, defaultChecked: true,
    id: 'hold-scope-call'});
  const scopeCaller = h('input', {type: 'radio', name: 'scope', value: 'caller', id: 'hold-scope-caller'});
  const target = h('input', {name: 'target', type: 'text', required: true, maxLength: 64, autocomplete: 'off'});
  const targetLabel = h('label', {for: 'hold-target'}, 'Call id');
  target.id = 'hold-target';
  const reason = h('input', {name: 'reason', type: 'text', required: true, minLength: 3, maxLength: 500,
    autocomplete: 'off'});
  const form = h('form', {class: 'form-grid', method: 'post', 'aria-label': 'Place a legal hold'},
      h('h2', {class: 'wide'}, 'Place a legal hold'),
      h('fieldset', {}, h('legend', {}, 'Keep'),
          h('div', {class: 'choice'}, scopeCall, h('label', {for: 'hold-scope-call'}, 'one call')),
          h('div', {class: 'choice'}, scopeCaller, h('label', {for: 'hold-scope-caller'}, 'everything about a caller'))),
      h('div', {class: 'field'}, targetLabel, target),
      field('Reason', reason, 'e.g. the case number; retention and erasure skip what is held'),
      h('div', {class: 'actions'}, h('button', {type: 'submit', class: 'button-primary'}, 'Place hold')));
  const relabel = () => targetLabel.replaceChildren(scopeCall.checked ? 'Call id' : 'Caller number');
  scopeCall.addEventListener('change', relabel);
  scopeCaller.addEventListener('change', relabel);
  onSubmit(form, async (data) => {
    const value = data.target.trim();
    try {
      await api.post('/legal-holds', data.scope === 'call' ? {call_id: value, reason: data.reason.trim()}
        : {caller: value, reason: data.reason.trim()});
      form.reset();
      relabel();
      await load();
      say(status, 'ok', 'Legal hold placed.');
    } catch (e) {
      say(status, 'error', `No hold placed: ${e.message}`);
    }
  });

  const showAll = h('input', {type: 'checkbox', id: 'holds-all'});
  showAll.addEventListener('change', () => {
    activeOnly = !showAll.checked;
    load();
  });

  async function load() {
    try {
      const page = await api.get('/legal-holds', {active: activeOnly ? 'true' : undefined, limit: 200});
      replace(list, table(activeOnly ? 'Active legal holds' : 'Legal holds', [
        {title: 'Keeps', cell: (x) => (x.scope === 'call' ? ['call ', h('code', {title: x.call_id}, shortId(x.call_id))]
          : ['caller ', x.caller])},
        {title: 'Reason', cell: (x) => x.reason},
        {title: 'Placed', cell: (x) => [time(x.placed_at), ` by ${x.placed_by}`]},
        {title: 'Status', cell: (x) => (x.active ? h('span', {class: 'badge badge-ok'}, 'active')
          : [h('span', {class: 'badge badge-muted'}, 'released'), ' ', time(x.released_at),
            ` by ${x.released_by}: ${x.release_reason}`])},
        {title: '', cell: (x) => (x.active ? releaseForm(x) : null)},
      ], page.items, {empty: activeOnly ? 'No active legal hold.' : 'No legal hold.'}));
    } catch (e) {
      replace(list, message('error', `The holds cannot be loaded: ${e.message}`));
    }
  }

  function releaseForm(x) {
    const why = h('input', {name: 'reason', type: 'text', required: true, minLength: 3, maxLength: 500,
      autocomplete: 'off', 'aria-label': `Reason to release the hold "${x.reason}"`});
    const f = h('form', {class: 'inline-form', method: 'post'}, why, ' ',
        h('button', {type: 'submit', class: 'button-small'}, 'Release'));
    onSubmit(f, async (data) => {
      try {
        await api.post(`/legal-holds/${x.id}/release`, {reason: data.reason.trim()});
        await load();
        say(status, 'ok', 'Legal hold released.');
      } catch (e) {
        say(status, 'error', `Not released: ${e.message}`);
      }
    });
    return f;
  }

  replace(body, form, status, h('h2', {}, 'Legal holds'),
      h('div', {class: 'choice'}, showAll, h('label', {for: 'holds-all'}, 'Show released holds too')), list);
  load();
}

// ---- restrictions of processing (Art. 18) ----------------------------------------------------------

function restrictions(body) {
  const status = messageRegion();
  const list = h('div', {});
  let activeOnly = true;

  const scopeCall = h('input', {type: 'radio', name: 'scope', value: 'call', checked: true,
    defaultChecked: true, id: 'restriction-scope-call'});
  const scopeCaller = h('input', {type: 'radio', name: 'scope', value: 'caller', id: 'restriction-scope-caller'});
  const target = h('input', {name: 'target', type: 'text', required: true, maxLength: 64, autocomplete: 'off'});
  target.id = 'restriction-target';
  const targetLabel = h('label', {for: target.id}, 'Call id');
  const reason = h('input', {name: 'reason', type: 'text', required: true, minLength: 3, maxLength: 500,
    autocomplete: 'off'});
  const form = h('form', {class: 'form-grid', method: 'post', 'aria-label': 'Place a restriction'},
      h('h2', {class: 'wide'}, 'Restrict processing'),
      h('p', {class: 'wide'}, 'The data is kept (retention still applies) but not played or exported, except by '
          + 'compliance for the establishment or defence of legal claims.'),
      h('fieldset', {}, h('legend', {}, 'Restrict'),
          h('div', {class: 'choice'}, scopeCall, h('label', {for: scopeCall.id}, 'one call')),
          h('div', {class: 'choice'}, scopeCaller, h('label', {for: scopeCaller.id}, 'everything about a caller'))),
      h('div', {class: 'field'}, targetLabel, target),
      field('Reason', reason, 'e.g. "caller contests the accuracy, ticket 4711"; written to the audit trail'),
      h('div', {class: 'actions'}, h('button', {type: 'submit', class: 'button-primary'}, 'Place restriction')));
  const relabel = () => targetLabel.replaceChildren(scopeCall.checked ? 'Call id' : 'Caller number');
  scopeCall.addEventListener('change', relabel);
  scopeCaller.addEventListener('change', relabel);
  onSubmit(form, async (data) => {
    const value = data.target.trim();
    try {
      // POST bodies: a caller number never goes into a URL
      await api.post('/restrictions', data.scope === 'call' ? {call_id: value, reason: data.reason.trim()}
        : {caller: value, reason: data.reason.trim()});
      form.reset();
      relabel();
      await load();
      say(status, 'ok', 'Restriction placed.');
    } catch (e) {
      say(status, 'error', `No restriction placed: ${e.message}`);
    }
  });

  const showAll = h('input', {type: 'checkbox', id: 'restrictions-all'});
  showAll.addEventListener('change', () => {
    activeOnly = !showAll.checked;
    load();
  });

  async function load() {
    try {
      const page = await api.get('/restrictions', {active: activeOnly ? 'true' : undefined, limit: 200});
      replace(list, table(activeOnly ? 'Active restrictions' : 'Restrictions', [
        {title: 'Restricts', cell: (x) => (x.scope === 'call'
          ? ['call ', h('a', {href: `#/calls/${encodeURIComponent(x.call_id)}`, title: x.call_id}, shortId(x.call_id))]
          : ['caller ', x.caller])},
        {title: 'Reason', cell: (x) => x.reason},
        {title: 'Placed', cell: (x) => [time(x.placed_at), ` by ${x.placed_by}`]},
        {title: 'Status', cell: (x) => (x.active ? restrictedMark()
          : [h('span', {class: 'badge badge-muted'}, 'lifted'), ' ', time(x.lifted_at),
            ` by ${x.lifted_by}: ${x.lift_reason}`])},
        {title: '', cell: (x) => (x.active ? liftForm(x) : null)},
      ], page.items, {empty: activeOnly ? 'No active restriction.' : 'No restriction.'}));
    } catch (e) {
      replace(list, message('error', `The restrictions cannot be loaded: ${e.message}`));
    }
  }

  function liftForm(x) {
    const why = h('input', {name: 'reason', type: 'text', required: true, minLength: 3, maxLength: 500,
      autocomplete: 'off', 'aria-label': `Reason to lift the restriction "${x.reason}"`});
    const f = h('form', {class: 'inline-form', method: 'post'}, why, ' ',
        h('button', {type: 'submit', class: 'button-small'}, 'Lift'));
    onSubmit(f, async (data) => {
      try {
        await api.post(`/restrictions/${encodeURIComponent(x.id)}/lift`, {reason: data.reason.trim()});
        await load();
        say(status, 'ok', 'Restriction lifted.');
      } catch (e) {
        say(status, 'error', `Not lifted: ${e.message}`);
      }
    });
    return f;
  }

  replace(body, form, status, h('h2', {}, 'Restrictions'),
      h('div', {class: 'choice'}, showAll, h('label', {for: 'restrictions-all'}, 'Show lifted restrictions too')), list);
  load();
}

// ---- consent registry --------------------------------------------------------------------------

function consent(body) {
  const status = messageRegion();
  const result = h('div', {});
  const caller = h('input', {name: 'caller', type: 'tel', required: true, maxLength: 64, autocomplete: 'off'});
  const form = h('form', {class: 'filters', method: 'post', role: 'search', 'aria-label': 'Look up a caller'},
      field('Caller number', caller),
      h('div', {class: 'actions'}, h('button', {type: 'submit', class: 'button-primary'}, 'Look up')));
  onSubmit(form, async (data) => {
    replace(status);
    await lookup(data.caller.trim());
  });

  async function lookup(number) {
    try {
      // the number goes in a body, never in a URL (proxy and access logs keep URLs)
      const [state, history] = await Promise.all([api.post('/consent/search', {caller: number}),
        api.post('/consent/history/search', {caller: number, limit: 200})]);
      showStatus(state, history.items);
    } catch (e) {
      replace(result);
      say(status, 'error', `The lookup failed: ${e.message}`);
    }
  }

  function showStatus(state, history) {
    const pref = state.preference;
    const latest = state.latest_decision;
    const parts = [h('section', {class: 'card', 'aria-labelledby': 'consent-heading'},
        h('h2', {id: 'consent-heading'}, `Consent of ${state.caller}`),
        message(state.do_not_record ? 'warn' : 'info', state.do_not_record
          ? 'Do not record: this caller is not recorded (they hear that the call is not recorded).'
          : 'No "do not record" on file: the caller is asked at each call.'),
        state.restricted ? message('warn', restrictedMark(), ' Processing of this caller\'s data is restricted '
          + '(GDPR Art. 18): their calls and recordings are kept but not played or exported, except for legal claims.')
          : null,
        facts([
          ['Preference', pref ? `${pref.preference.replaceAll('_', ' ')} since ${formatTime(pref.updated_at)} (${pref.source})` : 'none'],
          ['Latest decision', latest ? `${outcome(latest.outcome)}, ${formatTime(latest.decided_at)}` : 'none'],
          ['Decisions on file', String(state.decisions)],
          ['Audit pseudonym', state.audit_target],
        ]))];
    if (session.can('withdraw_consent') && !state.do_not_record) {
      const note = h('input', {name: 'note', type: 'text', maxLength: 500, autocomplete: 'off'});
      const withdraw = h('form', {class: 'form-grid', method: 'post', 'aria-label': 'Record a withdrawal'},
          h('h3', {class: 'wide'}, 'Record a withdrawal on the caller\'s behalf'),
          field('Note', note, 'e.g. how the caller asked; effective from their next call'),
          h('div', {class: 'actions'}, h('button', {type: 'submit', class: 'button-danger'}, 'Withdraw consent')));
      onSubmit(withdraw, async (data) => {
        try {
          const done = await api.post('/consent/withdraw', {caller: state.caller, note: data.note.trim() || undefined});
          say(status, 'ok', done.changed ? `Withdrawn: from their next call ${done.caller} is not recorded.`
            : 'Nothing changed: "do not record" was already on file.');
          await lookup(state.caller);
        } catch (e) {
          say(status, 'error', `Not withdrawn: ${e.message}`);
        }
      });
      parts[0].appendChild(withdraw);
    }
    parts.push(h('h2', {}, 'History'), table('Consent history, newest first', [
      {title: 'When', cell: (e) => time(e.at)},
      {title: 'What', cell: (e) => (e.kind === 'decision' ? `decision: ${outcome(e.value)}` : `preference: ${e.value}`)},
      {title: 'Lawful basis', cell: (e) => (e.lawful_basis ? lawfulBasis(e.lawful_basis).split(':')[0] : '—')},
      {title: 'Notice version', cell: (e) => e.notice_version || '—'},
      {title: 'Keys', cell: (e) => e.keys_pressed || '—'},
      {title: 'By', cell: (e) => e.by},
      {title: 'Call', cell: (e) => (e.call_id ? h('a', {href: `#/calls/${e.call_id}`}, shortId(e.call_id)) : '—')},
    ], history, {empty: 'Nothing on file for this caller.'}));
    replace(result, parts);
  }

  replace(body, form, status, result);
  caller.focus();
}
