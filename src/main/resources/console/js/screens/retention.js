// Retention and statistics: the configured periods, the job's runs (and "run now" for admins), and
// a chart of daily calls by consent outcome, drawn here as SVG from GET /statistics/daily.
import * as api from '../api.js';
import * as session from '../session.js';
import {actionButton, facts, field, h, message, messageRegion, onSubmit, replace, s, say, table, time} from '../dom.js';
import {OUTCOMES, outcome} from '../words.js';

const SERIES = [...OUTCOMES.map(([code]) => code), 'none'];

function seriesName(code) {
  return code === 'none' ? 'No decision' : outcome(code);
}

function day(offset) {
  const d = new Date();
  d.setUTCDate(d.getUTCDate() + offset);
  return d.toISOString().slice(0, 10);
}

const TICKS = 4;

/** The axis step: 1, 2 or 5 times a power of ten, so that TICKS steps reach n and every label is whole. */
function niceStep(n) {
  const raw = Math.max(1, n / TICKS);
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  for (const step of [1, 2, 5, 10]) {
    if (step * magnitude >= raw) {
      return step * magnitude;
    }
  }
  return 10 * magnitude;
}

/**
 * The days from the first to the last returned, with the days between that have no row as zero:
 * the job aggregates days oldest first and only days with calls, so a gap is a day without calls.
 */
export function withEmptyDays(days) {
  if (days.length < 2) {
    return days;
  }
  const byDay = new Map(days.map((d) => [d.day, d]));
  const out = [];
  const last = Date.parse(`${days[days.length - 1].day}T00:00:00Z`);
  for (let t = Date.parse(`${days[0].day}T00:00:00Z`); t <= last; t += 86_400_000) {
    const day = new Date(t).toISOString().slice(0, 10);
    out.push(byDay.get(day) || {day, calls: 0, outcomes: {}, recorded_calls: 0, pauses: 0});
  }
  return out;
}

/** Stacked bars: one per day, one segment per outcome. */
export function chart(days) {
  const width = 800;
  const height = 280;
  const left = 44;
  const right = 8;
  const top = 10;
  const bottom = 34;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const step = niceStep(Math.max(0, ...days.map((d) => d.calls)));
  const max = step * TICKS;
  const y = (n) => top + plotH - (n / max) * plotH;
  const slot = plotW / Math.max(1, days.length);
  const barW = Math.max(2, Math.min(40, slot * 0.7));
  const labelEvery = Math.ceil(days.length / 12);
  const children = [];
  for (let i = 0; i <= TICKS; i += 1) {
    const value = step * i;
    children.push(s('line', {class: i === 0 ? 'axis' : 'grid', x1: left, x2: width - right, y1: y(value), y2: y(value)}));
    children.push(s('text', {x: left - 6, y: y(value) + 4, 'text-anchor': 'end'}, String(value)));
  }
  days.forEach((d, i) => {
    const x = left + slot * i + (slot - barW) / 2;
    let base = 0;
    for (const code of SERIES) {
      const n = (d.outcomes && d.outcomes[code]) || 0;
      if (n > 0) {
        children.push(s('rect', {class: `o-${code}`, x, width: barW, y: y(base + n), height: y(base) - y(base + n)},
            s('title', {}, `${d.day}: ${seriesName(code)} ${n}`)));
        base += n;
      }
    }
    if (i % labelEvery === 0) {
      children.push(s('text', {x: x + barW / 2, y: height - bottom + 16, 'text-anchor': 'middle'}, d.day.slice(5)));
    }
  });
  return s('svg', {class: 'chart', viewBox: `0 0 ${width} ${height}`, role: 'img',
    'aria-label': `Daily calls by consent outcome, ${days.length} days; the table below has the numbers`}, children);
}

function legend(days) {
  const used = SERIES.filter((code) => days.some((d) => d.outcomes && d.outcomes[code] > 0));
  return h('ul', {class: 'chart-legend', 'aria-label': 'Legend'},
      used.map((code) => h('li', {class: `o-${code}`}, seriesName(code))));
}

function numbers(days) {
  return h('details', {},
      h('summary', {}, 'The numbers'),
      table('Daily calls by consent outcome', [
        {title: 'Day (UTC)', cell: (d) => d.day},
        {title: 'Calls', cell: (d) => String(d.calls)},
        ...SERIES.map((code) => ({title: seriesName(code), cell: (d) => String((d.outcomes && d.outcomes[code]) || 0)})),
        {title: 'Recorded', cell: (d) => String(d.recorded_calls)},
        {title: 'Pauses', cell: (d) => String(d.pauses)},
      ], days));
}

function statistics(section) {
  const status = messageRegion();
  const result = h('div', {});
  const from = h('input', {name: 'from', type: 'date', required: true, value: day(-30)});
  const to = h('input', {name: 'to', type: 'date', required: true, value: day(1)});
  const form = h('form', {class: 'filters', method: 'post', 'aria-label': 'Days to show'},
      field('From day (UTC)', from), field('To day (not included)', to),
      h('div', {class: 'actions'}, h('button', {type: 'submit'}, 'Show')));
  async function load(range) {
    try {
      const page = await api.get('/statistics/daily', {from: range.from, to: range.to, limit: 200});
      replace(status);
      if (page.items.length === 0) {
        replace(result, message('info', 'No statistics for these days yet: days are counted once they are over, '
            + 'by the retention job.'));
        return;
      }
      const days = withEmptyDays(page.items);
      replace(result, chart(days), legend(days), numbers(days));
    } catch (e) {
      say(status, 'error', `The statistics cannot be loaded: ${e.message}`);
    }
  }
  onSubmit(form, (data) => load(data));
  replace(section, h('h2', {id: 'stats-heading'}, 'Daily calls by consent outcome'),
      h('p', {}, 'Anonymous counts per UTC day; they stay when retention deletes the calls.'), form, status, result);
  load({from: from.value, to: to.value});
}

function counts(c) {
  const entries = Object.entries(c || {}).filter(([, n]) => n > 0);
  return entries.length === 0 ? 'nothing to do' : entries.map(([k, n]) => `${k.replaceAll('_', ' ')}: ${n}`).join(', ');
}

function retention(section) {
  const status = messageRegion();
  const policy = h('div', {});
  const runs = h('div', {});
  async function loadRuns() {
    try {
      const page = await api.get('/retention/runs', {limit: 20});
      replace(runs, table('The last retention runs, newest first', [
        {title: 'Started', cell: (r) => time(r.started_at)},
        {title: 'Finished', cell: (r) => time(r.finished_at)},
        {title: 'Status', cell: (r) => r.status},
        {title: 'Trigger', cell: (r) => r.trigger},
        {title: 'Instance', cell: (r) => r.instance_id},
        {title: 'What it did', cell: (r) => (r.error ? `error: ${r.error}` : counts(r.counts))},
      ], page.items, {empty: 'No run yet.'}));
    } catch (e) {
      replace(runs, message('error', `The runs cannot be loaded: ${e.message}`));
    }
  }
  api.get('/retention/policy').then((p) => {
    replace(policy, facts([
      ['Recordings kept', p.recordings.text],
      ['Call records kept', p.calls.text],
      ['Consent evidence identifiable', p.evidence.text],
      ['The job runs', p.interval_seconds > 0 ? `every ${Math.round(p.interval_seconds / 60)} min` : 'only on demand'],
      ['Rows per transaction', String(p.batch)],
      ['This instance', p.instance_id],
      ['Configured by', p.configured_by],
    ]));
  }).catch((e) => replace(policy, message('error', `The policy cannot be loaded: ${e.message}`)));
  const runNow = session.can('manage_retention') ? actionButton('Run retention now', async () => {
    say(status, 'info', 'Running…');
    try {
      const run = await api.post('/retention/runs');
      say(status, run.status === 'completed' ? 'ok' : 'error', `Run ${run.status}: ${counts(run.counts)}.`);
      await loadRuns();
    } catch (e) {
      say(status, 'error', `The run failed: ${e.message}`);
    }
  }, {class: 'button-primary'}) : null;
  replace(section, h('h2', {id: 'retention-heading'}, 'Retention'), policy, runNow, status,
      h('h3', {}, 'Runs'), runs);
  loadRuns();
}

export function render(container) {
  const parts = [h('h1', {}, 'Retention and statistics')];
  if (session.can('read_privacy_reports')) {
    const section = h('section', {class: 'card', 'aria-labelledby': 'retention-heading'});
    retention(section);
    parts.push(section);
  }
  if (session.can('read_statistics')) {
    const section = h('section', {class: 'card', 'aria-labelledby': 'stats-heading'});
    statistics(section);
    parts.push(section);
  }
  replace(container, parts);
  return null;
}
