// One call: the consent evidence as a person reads it, the pause/resume timeline, the recording.
import * as api from '../api.js';
import {facts, formatDuration, h, message, replace, restrictedMark, table, time} from '../dom.js';
import {change, lawfulBasis, outcome, outcomeSentence, trigger, yesNo} from '../words.js';
import {player} from './player.js';

function keys(decision) {
  if (!decision.keys_pressed) {
    return 'none';
  }
  return decision.keys_pressed.split('').join(' then ');
}

function evidence(decision, index, count) {
  return h('article', {class: 'evidence', 'aria-labelledby': `evidence-${index}`},
      h('h3', {id: `evidence-${index}`}, count > 1 ? `Decision ${index + 1} of ${count}` : 'The decision'),
      h('p', {class: 'outcome-sentence'}, outcomeSentence(decision.outcome)),
      facts([
        ['Outcome', outcome(decision.outcome)],
        ['Decided', time(decision.decided_at)],
        ['Notice played from', time(decision.notice_started_at)],
        ['Notice heard to the end', yesNo(decision.notice_completed)],
        ['Notice set', `${decision.notice_set} (language ${decision.language})`],
        ['Notice version', decision.notice_version],
        ['Key pressed', keys(decision)],
        ['Attempts', decision.attempts],
        ['Lawful basis', lawfulBasis(decision.lawful_basis)],
        ['Decided by', decision.decided_by],
        ['Dialled number', decision.dialled_number || '—'],
        ['Evidence id', decision.id],
      ]),
      h('h4', {}, 'What the caller heard'),
      h('blockquote', {class: 'notice-text'}, decision.notice_text || '(the words are not on file)'));
}

function timeline(rows) {
  return table('Pause and resume timeline', [
    {title: 'When', cell: (r) => time(r.requested_at || r.written_at)},
    {title: 'Change', cell: (r) => change(r.change)},
    {title: 'Trigger', cell: (r) => trigger(r.trigger_kind, r.trigger_detail)},
    {title: 'Position in the file', cell: (r) => formatDuration(r.offset_ms)},
    {title: 'Accepted by Asterisk', cell: (r) => (r.accepted_at ? time(r.accepted_at) : 'not accepted')},
    {title: 'Style', cell: (r) => (r.pause_style === 'silence' ? 'silence (mute)' : 'cut (pause)')},
  ], rows, {empty: 'No recording changes for this call.'});
}

// Art. 16: statements attached to the call or its caller; the evidence above them is never rewritten
function corrections(rows) {
  return table('Corrections and supplementary statements', [
    {title: 'Added', cell: (r) => time(r.created_at)},
    {title: 'Kind', cell: (r) => (r.kind === 'correction' ? 'Correction' : 'Supplementary statement')},
    {title: 'Applies to', cell: (r) => (r.scope === 'call' ? 'this call' : 'everything about the caller')},
    {title: 'Statement', cell: (r) => r.statement},
    {title: 'Status', cell: (r) => (r.current ? 'current' : 'amended later')},
  ], rows, {empty: 'No correction or statement is attached to this call or its caller.'});
}

export function render(container, id) {
  const cleanups = [];
  const body = h('div', {}, h('p', {class: 'loading'}, 'Loading the call…'));
  replace(container,
      h('p', {class: 'back'}, h('a', {href: '#/calls'}, '← Back to the calls')),
      h('h1', {}, 'Call'),
      body);
  api.get(`/calls/${encodeURIComponent(id)}`).then((call) => {
    container.querySelector('h1').replaceChildren('Call of ', time(call.started_at));
    const decisions = call.consent_evidence || [];
    replace(body,
        h('section', {class: 'card', 'aria-labelledby': 'call-heading'},
            h('h2', {id: 'call-heading'}, 'The call'),
            facts([
              ['Caller', call.caller || '—'],
              ['Started', time(call.started_at)],
              ['Ended', time(call.ended_at)],
              ['Outcome', outcome(call.outcome)],
              ['Recording', call.recording_state || '—'],
              ['Processing restricted (Art. 18)', call.restricted ? [restrictedMark(), ' yes: kept, not played or '
                + 'exported except for legal claims'] : yesNo(call.restricted)],
              ['Channel', call.channel_name || call.channel_id],
              ['Asterisk server', call.server || '—'],
              ['Call id', call.id],
            ])),
        h('section', {class: 'card', 'aria-labelledby': 'corrections-heading'},
            h('h2', {id: 'corrections-heading'}, 'Corrections and statements'),
            corrections(call.corrections || [])),
        h('section', {class: 'card', 'aria-labelledby': 'evidence-heading'},
            h('h2', {id: 'evidence-heading'}, 'Consent evidence'),
            decisions.length === 0 ? h('p', {}, 'No consent decision is on file for this call.')
              : decisions.map((d, i) => evidence(d, i, decisions.length))),
        h('section', {class: 'card', 'aria-labelledby': 'timeline-heading'},
            h('h2', {id: 'timeline-heading'}, 'Pause and resume timeline'),
            timeline(call.timeline || [])),
        player(call, cleanups));
  }).catch((e) => {
    replace(body, message('error', e.status === 404 ? 'There is no call with this id.' : `The call cannot be shown: ${e.message}`));
  });
  return () => cleanups.forEach((c) => c());
}
