// What the API's codes mean, in words an operator reads. Unknown codes are shown as they are.

export const OUTCOMES = [
  ['granted', 'Granted'],
  ['declined', 'Declined'],
  ['opted_out', 'Objected'],
  ['no_response', 'No response'],
  ['abandoned', 'Hung up before deciding'],
  ['do_not_record', 'Do not record (on file)'],
  ['withdrawn', 'Withdrawn during the call'],
  ['error', 'Notice failed'],
];

const OUTCOME_SENTENCES = {
  granted: 'The caller allowed the recording.',
  declined: 'The caller declined the recording.',
  opted_out: 'The caller objected to the recording.',
  no_response: 'The caller pressed no valid key; silence is not consent.',
  abandoned: 'The caller hung up before deciding.',
  do_not_record: 'A "do not record" preference was on file, so the caller was not asked again.',
  withdrawn: 'The caller withdrew consent during the call; the recording was discarded.',
  error: 'The notice could not be played, so the caller was not informed and not recorded.',
};

export function outcome(code) {
  if (!code) {
    return 'none yet';
  }
  const found = OUTCOMES.find(([c]) => c === code);
  return found ? found[1] : code;
}

export function outcomeSentence(code) {
  return OUTCOME_SENTENCES[code] || outcome(code);
}

export function lawfulBasis(code) {
  switch (code) {
    case 'consent': return 'Consent (GDPR Art. 6(1)(a)): recorded only after the caller allowed it';
    case 'legitimate_interest': return 'Legitimate interest (GDPR Art. 6(1)(f)): recorded unless the caller objected';
    default: return code || '—';
  }
}

const CHANGES = {
  started: 'Recording started',
  paused: 'Paused: audio withheld',
  resumed: 'Resumed',
  pause_failed_stopped: 'Pause failed: recording stopped (fail closed)',
  resume_failed: 'Resume failed: stays paused',
  withdrawn_discarded: 'Consent withdrawn: recording discarded',
  stopped_by_operator: 'Stopped by an operator: recording discarded',
  ended: 'Recording ended',
};

export function change(code) {
  return CHANGES[code] || code;
}

const TRIGGERS = {
  dtmf_sequence: 'caller keypad',
  user_event: 'dialplan event',
  api: 'admin API',
  dtmf_burst: 'digit burst safety net',
  max_pause_elapsed: 'longest pause reached',
  ari_outage: 'ARI connection lost',
  hangup: 'hang-up',
};

export function trigger(kind, detail) {
  if (!kind) {
    return '—';
  }
  const text = TRIGGERS[kind] || kind;
  return detail ? `${text} (${detail})` : text;
}

/** The result of a live-call control, in words. */
const CONTROL = {
  paused: ['ok', 'Paused: the recording is paused.'],
  already_paused: ['ok', 'Already paused: nothing changed.'],
  pause_failed_recording_stopped: ['warn', 'The pause failed, so the recording was stopped: nothing more is recorded.'],
  recording: ['ok', 'Resumed: the call is recorded again.'],
  already_recording: ['ok', 'Already recording: nothing changed.'],
  resume_failed_still_paused: ['error', 'The resume failed: the recording stays paused.'],
  discarded: ['ok', 'Stopped: the recording was discarded.'],
  not_recording: ['error', 'This call is not being recorded.'],
  not_found: ['error', 'This call has ended or is not known.'],
  timeout: ['error', 'Asterisk did not answer in time; look at the call\'s state.'],
};

export function controlResult(status) {
  return CONTROL[status] || ['error', status];
}

export function yesNo(value) {
  if (value === null || value === undefined) {
    return '—';
  }
  return value ? 'yes' : 'no';
}
