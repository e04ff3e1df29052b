// The signed-in operator's second factor (#/account): enrol a TOTP authenticator app, confirm it with
// a code, and take the recovery codes, which are shown once. A role that requires a second factor
// (CR_MFA_REQUIRED_ROLES) and has none gets a session that may only do this; the console then shows
// only this screen, with a hint why.
import * as api from '../api.js';
import * as session from '../session.js';
import {facts, field, h, message, messageRegion, onSubmit, replace, s, saveBlob, say} from '../dom.js';
import qrcode from '../../vendor/qrcode-generator-2.0.4/qrcode.js';

/** Modules of quiet zone around the code (ISO/IEC 18004 asks for 4) and CSS pixels per module. */
const QUIET = 4;
const MODULE_PX = 4;

/**
 * The QR code of a text as an SVG element, drawn here from the modules the vendored encoder computes
 * (no image URL, no markup string): one path of dark squares on a white square. Error correction M.
 */
export function qrSvg(text, label) {
  const qr = qrcode(0, 'M');
  qr.addData(text, 'Byte');
  qr.make();
  const n = qr.getModuleCount();
  const size = n + 2 * QUIET;
  const d = [];
  for (let row = 0; row < n; row += 1) {
    for (let col = 0; col < n; col += 1) {
      if (qr.isDark(row, col)) {
        d.push(`M${col + QUIET} ${row + QUIET}h1v1h-1z`);
      }
    }
  }
  return s('svg', {class: 'qr-code', viewBox: `0 0 ${size} ${size}`, width: size * MODULE_PX, height: size * MODULE_PX,
    role: 'img', 'aria-label': label, 'shape-rendering': 'crispEdges'},
  s('rect', {x: 0, y: 0, width: size, height: size, fill: '#ffffff'}),
  s('path', {d: d.join(''), fill: '#000000'}));
}

/** The base32 secret in groups of four, as authenticator apps accept it typed in. */
export function grouped(secret) {
  return String(secret).replace(/(.{4})(?=.)/g, '$1 ');
}

export function render(container) {
  const current = session.get();
  const status = messageRegion();
  const body = h('div', {});
  replace(container, h('h1', {}, 'Second factor'), status, body);

  if (current.secondFactor) {
    replace(body,
        message('ok', 'Your account has a second factor: you signed in with your authenticator app (or a recovery code).'),
        h('p', {}, 'Lost the phone and the recovery codes? An admin resets the second factor (Admin → Accounts); '
            + 'you then enrol a new one at your next sign-in.'));
    return null;
  }
  const why = session.enrolmentOnly()
    ? message('warn', `Your role (${current.role}) requires a second factor, and your account has none yet. `
        + 'Enrol one now: until then this console (and the API) lets you do nothing else.')
    : h('p', {}, current.mfaRequired ? 'Your role requires a second factor.'
      : 'Your role does not require a second factor, but you can add one: sign-in then asks for a code as well.');
  const start = h('button', {type: 'button', class: 'button-primary', on: {click: () => enrol()}}, 'Set up an authenticator app');
  replace(body, h('div', {class: 'mfa-hint'}, why),
      h('p', {}, 'You need an authenticator app on your phone (any app for time-based codes, TOTP). '
          + 'The code is drawn here in the page; nothing is sent elsewhere.'),
      h('div', {class: 'actions'}, start));

  async function enrol() {
    start.disabled = true;
    try {
      const issued = await api.post('/auth/mfa/enrol');
      replace(status);
      showSecret(issued);
    } catch (e) {
      start.disabled = false;
      say(status, 'error', `Enrolment could not start: ${e.message}`);
    }
  }

  function showSecret(issued) {
    const secretText = h('input', {type: 'text', readOnly: true, class: 'secret', id: 'mfa-secret',
      value: grouped(issued.secret), autocomplete: 'off', spellcheck: false});
    const code = h('input', {name: 'code', type: 'text', inputmode: 'numeric', autocomplete: 'one-time-code',
      required: true, pattern: '[0-9]{3} ?[0-9]{3}', maxLength: 7, spellcheck: false});
    const confirmForm = h('form', {class: 'form-grid', method: 'post', 'aria-label': 'Confirm the second factor'},
        h('h2', {class: 'wide'}, '2. Confirm with a code'),
        field('Code', code, 'The 6 digits the app shows for consent-recorder now'),
        h('div', {class: 'actions'}, h('button', {type: 'submit', class: 'button-primary'}, 'Confirm')));
    onSubmit(confirmForm, async (data) => {
      try {
        const confirmed = await api.post('/auth/mfa/confirm', {code: String(data.code).replace(/\s+/g, '')});
        secretText.value = '';
        replace(status);
        showRecoveryCodes(confirmed.recovery_codes);
        await refreshSession();
      } catch (e) {
        code.value = '';
        say(status, 'error', e.status === 400
          ? 'That is not the code the app shows now. Check that the phone\'s clock is right, then enter the current code.'
          : `Not confirmed: ${e.message}`);
        code.focus();
      }
    });
    replace(body,
        h('section', {class: 'card enrol-step', 'aria-labelledby': 'enrol-scan'},
            h('h2', {id: 'enrol-scan', tabindex: -1}, '1. Scan this code with your authenticator app'),
            h('div', {class: 'qr-and-secret'},
                h('figure', {class: 'qr'}, qrSvg(issued.otpauth_uri, 'QR code for your authenticator app')),
                h('div', {},
                    h('p', {}, 'Cannot scan? Type this key into the app instead (time-based):'),
                    h('label', {for: 'mfa-secret'}, 'Key'), secretText,
                    facts([['Algorithm', issued.algorithm], ['Digits', String(issued.digits)],
                      ['Period', `${issued.period} s`]])))),
        confirmForm);
    body.querySelector('h2').focus();
  }

  function showRecoveryCodes(codes) {
    const text = `consent-recorder recovery codes for ${current.username}\n`
        + 'Each code works once, instead of the authenticator code.\n\n' + codes.join('\n') + '\n';
    const list = h('ol', {class: 'recovery-codes', id: 'recovery-codes'}, codes.map((c) => h('li', {}, h('code', {}, c))));
    const copy = h('button', {type: 'button', on: {click: async () => {
      try {
        await navigator.clipboard.writeText(text);
        replace(copy, 'Copied');
      } catch (e) {
        window.getSelection().selectAllChildren(list);
        replace(copy, 'Selected: press Ctrl+C');
      }
    }}}, 'Copy');
    const download = h('button', {type: 'button', on: {click: () => saveBlob(new Blob([text], {type: 'text/plain'}),
        `consent-recorder-recovery-codes-${current.username}.txt`)}}, 'Download');
    const done = h('button', {type: 'button', class: 'button-primary', on: {click: () => finish()}}, 'I have stored them');
    replace(body, h('section', {class: 'card', 'aria-labelledby': 'recovery-heading'},
        h('h2', {id: 'recovery-heading', tabindex: -1}, 'Your recovery codes'),
        message('ok', 'The second factor is on: from now on, sign-in asks for a code from the app.'),
        message('warn', 'Store these codes now, somewhere safe and away from the phone (a password manager, or printed). '
            + 'They are shown only this once; each works once if the phone is lost.'),
        list,
        h('div', {class: 'actions'}, copy, download, done)));
    body.querySelector('h2').focus();
  }

  // the confirmation upgraded the session on the server: the role's screens open (the codes stay shown)
  async function refreshSession() {
    try {
      session.update(await api.get('/auth/me'));
      return true;
    } catch (e) {
      say(status, 'error', `Enrolled, but the console cannot reload your session: ${e.message}. Sign in again.`);
      return false;
    }
  }

  async function finish() {
    if (session.enrolmentOnly() && !(await refreshSession())) {
      return;
    }
    replace(body);
    window.location.hash = '#/';
  }
  return null;
}
