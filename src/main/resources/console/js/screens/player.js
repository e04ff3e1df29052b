// The recording player. Before the first byte it asks why: the reason travels in a POST body
// (POST /recordings/{id}/playback), where the server writes it to the audit trail with the operator's
// name, once for the whole listening, and answers a short-lived ticket. An <audio> element cannot send
// the bearer token (and a token must never be put into a URL), so the ticket is a capability URL: the
// player points <audio src> at /recordings/{id}/audio?ticket=…, which the server accepts without the
// token for that one recording, format and purpose, for 120 s, until sign-out. The browser then streams
// and seeks with HTTP Range requests (206). The ticket holds nothing personal, and the page sends no
// Referer. When a ticket has run out during a long listening, the player asks for a new one with the
// same reason (audited again) and goes on where it was. A time bar marks where audio was withheld, from
// the pause timeline's offsets (file time: a cut-out pause is a point in the file, a silenced one a
// stretch).
import * as api from '../api.js';
import * as session from '../session.js';
import {facts, field, formatBytes, formatDuration, formatSpan, h, message, messageRegion, onSubmit, replace,
  restrictedMark, s, say, saveBlob, time} from '../dom.js';
import {trigger} from '../words.js';

/**
 * The reason (and the format, and for restricted data the purpose) go into the audit trail from a POST
 * body; the answer is {ticket, audio_url, expires_in}: the URL fetches this recording in this format.
 */
function playbackTicket(recordingId, reason, format, purpose) {
  return api.post(`/recordings/${encodeURIComponent(recordingId)}/playback`, {reason, format, ...purpose});
}

/** The API's purpose for using restricted data (GDPR Art. 18(2)): only compliance may give it. */
const LEGAL_CLAIMS = 'legal_claims';

/** Why a restricted recording is not offered to a role that may not use it for legal claims. */
const RESTRICTED_TEXT = 'Processing of this recording is restricted (GDPR Art. 18): it is kept, but not '
    + 'played or exported, except by compliance for the establishment or defence of legal claims. Ask compliance '
    + 'if it is needed for a legal claim.';

const REASON_HINT = 'Written to the audit trail with your name before anything is sent, e.g. "ticket 4711: '
    + 'caller disputes the contract" (3 to 500 characters).';

function instant(entry) {
  const t = Date.parse(entry.accepted_at || entry.requested_at || entry.written_at);
  return Number.isNaN(t) ? null : t;
}

/**
 * Where audio is missing from the file, from the timeline (rows in order): {kind: 'cut'|'silenced'|'stopped',
 * startMs, endMs, withheldMs, trigger}. 'cut': an ARI pause, the paused time is not in the file;
 * 'silenced': a mute, the paused time is silence; 'stopped': a pause failed and the recording ended.
 */
export function withheldSpans(timeline) {
  const spans = [];
  let open = null;
  const close = (pause, end) => {
    const silenced = pause.pause_style === 'silence';
    const started = instant(pause);
    const ended = end ? instant(end) : null;
    spans.push({
      kind: silenced ? 'silenced' : 'cut',
      startMs: pause.offset_ms,
      endMs: silenced && end ? Math.max(pause.offset_ms, end.offset_ms) : pause.offset_ms,
      withheldMs: started !== null && ended !== null ? Math.max(0, ended - started) : null,
      trigger: trigger(pause.trigger_kind, pause.trigger_detail),
    });
  };
  for (const entry of timeline || []) {
    if (entry.change === 'paused') {
      if (!open) {
        open = entry;
      }
    } else if (['resumed', 'ended', 'pause_failed_stopped', 'withdrawn_discarded', 'stopped_by_operator'].includes(entry.change)) {
      if (open) {
        close(open, entry);
        open = null;
      }
      if (entry.change === 'pause_failed_stopped') {
        spans.push({kind: 'stopped', startMs: entry.offset_ms, endMs: entry.offset_ms, withheldMs: null,
          trigger: trigger(entry.trigger_kind, entry.trigger_detail)});
      }
    }
  }
  if (open) {
    close(open, null);
  }
  return spans;
}

function describe(span) {
  if (span.kind === 'stopped') {
    return `a pause failed (${span.trigger}), so the recording was stopped here`;
  }
  const how = span.kind === 'cut' ? 'cut out of the file' : 'written as silence';
  const length = span.withheldMs === null ? 'until the end' : formatSpan(span.withheldMs);
  return `payment pause (${span.trigger}): ${length} not recorded, ${how}`;
}

/** The time bar: the whole recording, the withheld places, the play position. */
function timeBar(spans, onSeek) {
  const marks = s('g', {});
  const playhead = s('rect', {class: 'bar-playhead', x: 0, y: 0, width: 4, height: 32});
  const svg = s('svg', {class: 'time-bar', viewBox: '0 0 1000 32', preserveAspectRatio: 'none', role: 'img',
    'aria-label': spans.length === 0 ? 'Time bar: nothing was withheld'
      : `Time bar: ${spans.length} place${spans.length === 1 ? '' : 's'} where audio was withheld`},
  s('rect', {class: 'bar-recorded', x: 0, y: 6, width: 1000, height: 20}), marks, playhead);
  let durationMs = 1;
  const x = (ms) => Math.min(1000, Math.max(0, (ms / durationMs) * 1000));
  const draw = (ms) => {
    durationMs = Math.max(1, ms);
    marks.replaceChildren();
    for (const span of spans) {
      const start = x(span.startMs);
      const width = Math.max(6, x(span.endMs) - start);
      marks.appendChild(s('rect', {class: `bar-${span.kind}`, x: Math.min(994, Math.max(0, start - (span.endMs === span.startMs ? 3 : 0))),
        y: 0, width, height: 32}, s('title', {}, `${formatDuration(span.startMs)}: ${describe(span)}`)));
    }
  };
  svg.addEventListener('click', (event) => {
    const box = svg.getBoundingClientRect();
    onSeek(((event.clientX - box.left) / box.width) * durationMs);
  });
  return {
    element: svg,
    draw,
    position: (ms) => playhead.setAttribute('x', String(Math.min(996, x(ms)))),
  };
}

/** How a browser that plays Ogg Opus says so (Chromium, Firefox; Safari plays Opus only in WebM or MP4). */
const OGG_OPUS = 'audio/ogg; codecs=opus';

/**
 * What to ask the server for: the stored file when this browser plays it, otherwise a WAV the server
 * decodes on the fly (format=wav). Only Ogg Opus needs the choice; A-law and PCM are WAV already.
 */
export function playbackFormat(codec, canPlayType) {
  return codec === 'opus' && !canPlayType(OGG_OPUS) ? 'wav' : 'stored';
}

/** The recording section of a call. cleanups collects what to undo when the screen goes. */
export function player(call, cleanups) {
  const rec = call.recording;
  const section = h('section', {class: 'card', 'aria-labelledby': 'recording-heading'},
      h('h2', {id: 'recording-heading'}, 'Recording'));
  if (!rec) {
    section.appendChild(h('p', {}, 'This call has no recording.'));
    return section;
  }
  const spans = withheldSpans(call.timeline);
  let audio = null;
  const playable = rec.state === 'verified' || rec.state === 'archived';
  // a restriction on the call or on its caller covers the recording (the API says so on either)
  const restricted = Boolean(call.restricted || rec.restricted);
  section.appendChild(facts([
    ['Processing', restricted ? [restrictedMark(), ' under a restriction (GDPR Art. 18)'] : undefined],
    ['State', rec.state],
    ['Format', rec.format],
    ['Stored as', {opus: 'Ogg Opus', alaw: 'A-law WAV', wav: 'WAV (as recorded)'}[rec.codec] || 'as recorded'],
    ['Length', rec.duration_seconds === null ? '—' : formatDuration(rec.duration_seconds * 1000)],
    ['Size', formatBytes(rec.plaintext_bytes)],
    ['Finished', time(rec.finished_at)],
    ['Archived', time(rec.archived_at)],
  ]));

  const bar = timeBar(spans, (ms) => seek(ms));
  const fallbackMs = Math.max(rec.duration_seconds ? rec.duration_seconds * 1000 : 0,
      ...spans.map((sp) => sp.endMs), ...(call.timeline || []).map((t) => t.offset_ms || 0), 1);
  bar.draw(fallbackMs);
  const spanList = h('ul', {class: 'withheld-list'});
  const seekButtons = [];
  for (const span of spans) {
    const go = h('button', {type: 'button', class: 'button-small', disabled: true, on: {click: () => seek(span.startMs)}},
        `Go to ${formatDuration(span.startMs)}`);
    seekButtons.push(go);
    spanList.appendChild(h('li', {}, h('span', {}, `At ${formatDuration(span.startMs)}: ${describe(span)} `), go));
  }
  section.appendChild(h('figure', {class: 'time-bar-figure'}, bar.element,
      h('figcaption', {},
          h('span', {class: 'legend legend-recorded'}, 'recorded'), ' ',
          h('span', {class: 'legend legend-withheld'}, 'audio withheld (payment pause)'))));
  section.appendChild(spans.length > 0 ? spanList : h('p', {}, 'Nothing was withheld from this recording.'));

  if (!playable) {
    section.appendChild(h('p', {class: 'message message-info'},
        `This recording is ${rec.state}: it cannot be played.`));
    return section;
  }
  if (!session.can('playback')) {
    section.appendChild(h('p', {class: 'message message-info'}, 'Your role may not play recordings.'));
    return section;
  }
  // not offered for plain playback: the server would refuse it (403 restricted) and audit the refusal
  const forLegalClaims = restricted && session.can('restrict_processing');
  if (restricted && !forLegalClaims) {
    section.appendChild(message('warn', RESTRICTED_TEXT));
    return section;
  }
  const purpose = forLegalClaims ? {purpose: LEGAL_CLAIMS} : {};
  /** The Art. 18(2) choice, required before a restricted recording is fetched: it sends purpose=legal_claims. */
  const legalClaimsChoice = (what) => {
    if (!forLegalClaims) {
      return null;
    }
    const box = h('input', {type: 'checkbox', name: 'purpose', value: LEGAL_CLAIMS, required: true});
    box.id = `legal-claims-${what}`;
    return h('div', {class: 'choice'}, box, h('label', {for: box.id},
        `I ${what} it for the establishment, exercise or defence of legal claims (GDPR Art. 18(2))`));
  };
  if (forLegalClaims) {
    section.appendChild(message('warn', 'Processing of this recording is restricted (GDPR Art. 18). As compliance you may '
        + 'play or export it only for the establishment, exercise or defence of legal claims: say which claim.'));
  }

  const status = messageRegion();
  audio = h('audio', {controls: true, preload: 'auto', hidden: true, class: 'player'});
  // the listening: its reason and format, and when its ticket runs out (ms since the epoch)
  let listening = null;
  cleanups.push(() => {
    listening = null;
    audio.pause();
    // no more range requests with this ticket once the screen is gone
    audio.removeAttribute('src');
    audio.load();
  });

  function seek(ms) {
    if (audio && listening && Number.isFinite(audio.duration)) {
      audio.currentTime = Math.min(audio.duration, Math.max(0, ms / 1000));
      audio.focus();
    }
  }

  /** A new ticket for the listening, and the <audio> element streaming from its URL. */
  async function stream() {
    const answer = await playbackTicket(rec.id, listening.reason, listening.format, purpose);
    listening.until = Date.now() + answer.expires_in * 1000;
    audio.src = answer.audio_url;
  }

  audio.addEventListener('loadedmetadata', () => {
    if (Number.isFinite(audio.duration)) {
      bar.draw(audio.duration * 1000);
    }
    seekButtons.forEach((b) => { b.disabled = false; });
  });
  audio.addEventListener('timeupdate', () => bar.position(audio.currentTime * 1000));
  audio.addEventListener('playing', () => say(status, 'ok', 'Playing.'));
  audio.addEventListener('pause', () => {
    if (!audio.ended) {
      say(status, 'info', 'Paused.');
    }
  });
  audio.addEventListener('ended', () => say(status, 'info', 'Finished.'));
  audio.addEventListener('error', async () => {
    if (!listening || !audio.getAttribute('src')) {
      return;
    }
    // a ticket that ran out during a long listening (a seek needs a new range request): ask again with the
    // same reason, audited again, and go on where it was; any other failure is said as it is
    if (Date.now() < listening.until - 5000) {
      say(status, 'error', 'The recording cannot be played: the server refused or broke off the stream. '
          + 'Reload the page and give the reason again.');
      return;
    }
    const at = audio.currentTime;
    try {
      say(status, 'info', 'The playback ticket ran out; asking for a new one with the same reason…');
      await stream();
      audio.currentTime = at;
      await audio.play();
    } catch (e) {
      say(status, 'error', e.code === 'restricted' ? `The recording cannot be played because ${e.message}.`
        : `The recording cannot be played: ${e.message}`);
    }
  });

  const reason = h('input', {name: 'reason', type: 'text', required: true, minLength: 3, maxLength: 500,
    autocomplete: 'off'});
  const playLabel = forLegalClaims ? 'Play the recording for legal claims' : 'Play the recording';
  const playHint = forLegalClaims ? 'Written to the audit trail with your name and the purpose "legal claims", '
      + 'e.g. "claim 2026-31: the caller sues over the contract" (3 to 500 characters).' : REASON_HINT;
  const playForm = h('form', {class: 'reason-form', method: 'post', 'aria-label': playLabel},
      legalClaimsChoice('play'),
      field(forLegalClaims ? 'Which legal claim' : 'Reason for playing', reason, playHint),
      h('button', {type: 'submit', class: 'button-primary'}, forLegalClaims ? 'Play for legal claims' : 'Play'));
  onSubmit(playForm, async (data) => {
    say(status, 'info', 'Asking for the recording…');
    try {
      listening = {reason: data.reason.trim(), format: playbackFormat(rec.codec, (type) => audio.canPlayType(type)),
        until: 0};
      await stream();
      audio.hidden = false;
      replace(playForm, h('p', {class: 'reason-given'}, 'Reason in the audit trail: ', h('q', {}, listening.reason)));
      // the Play button is gone: the keyboard continues at the player
      audio.focus();
      say(status, 'info', 'Starting…');
      try {
        await audio.play();
      } catch (e) {
        if (listening && audio.error === null) {
          say(status, 'info', 'Ready. Press play in the player.');
        }
      }
    } catch (e) {
      listening = null;
      // a restriction placed after this page was opened: the API's 403 says why, not a generic error
      say(status, 'error', e.code === 'restricted' ? `The recording cannot be played because ${e.message}.`
        : `The recording cannot be played: ${e.message}`);
    }
  });

  const downloadReason = h('input', {name: 'reason', type: 'text', required: true, minLength: 3, maxLength: 500,
    autocomplete: 'off'});
  const downloadStatus = messageRegion();
  const downloadForm = h('form', {class: 'reason-form', method: 'post', 'aria-label': 'Download the recording'},
      legalClaimsChoice('export'),
      field(forLegalClaims ? 'Which legal claim' : 'Reason for downloading', downloadReason,
          'A download is a playback too: it is audited with this reason.'),
      h('button', {type: 'submit'}, 'Download'));
  onSubmit(downloadForm, async (data) => {
    say(downloadStatus, 'info', 'Downloading…');
    try {
      const {ticket} = await playbackTicket(rec.id, data.reason.trim(), 'stored', purpose);
      // with the bearer token as well: the ticket must be this session's (the server checks)
      const fetched = await api.download(`/recordings/${encodeURIComponent(rec.id)}/audio`, {ticket});
      // a download is what the archive stores (the file name's extension says which: .opus or .wav)
      const name = fetched.filename || `recording-${rec.id}.${rec.codec === 'opus' ? 'opus' : rec.format || 'bin'}`;
      saveBlob(fetched.blob, name);
      downloadReason.value = '';
      say(downloadStatus, 'ok', `Saved as ${name} (${formatBytes(fetched.blob.size)}).`);
    } catch (e) {
      say(downloadStatus, 'error', e.code === 'restricted' ? `The recording cannot be downloaded because ${e.message}.`
        : `The download failed: ${e.message}`);
    }
  });

  section.append(playForm, status, audio, h('h3', {}, 'Download'), downloadForm, downloadStatus);
  return section;
}
