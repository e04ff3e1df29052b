// Sign-in: user name and password, then (where the account has a second factor) the 6-digit code of
// the authenticator app or one of the recovery codes. Step one answers {mfa_required, challenge};
// step two (POST /auth/login/mfa) trades the challenge and the code for the session.
import * as api from '../api.js';
import {field, formatTime, h, message, messageRegion, onSubmit, replace, say} from '../dom.js';

/** Whether a login answer asks for a second factor instead of giving a session. */
export function asksForSecondFactor(answer) {
  return Boolean(answer) && !answer.token && answer.mfa_required === true && typeof answer.challenge === 'string';
}

/** The code as typed ("123 456", " 123456 ") as the API wants it: digits only. */
export function normalCode(typed) {
  return String(typed || '').replace(/\s+/g, '');
}

/** The sign-in view. onSession(loginAnswer) is called with an answer that carries a token. */
export function render(main, {notice, onSession}) {
  const status = messageRegion();
  if (notice) {
    replace(status, message(notice.kind, notice.text));
  }
  const username = h('input', {name: 'username', type: 'text', autocomplete: 'username', required: true,
    maxLength: 64, spellcheck: false, autocapitalize: 'none'});
  const password = h('input', {name: 'password', type: 'password', autocomplete: 'current-password', required: true});
  const passwordForm = h('form', {class: 'signin-form', method: 'post', 'aria-label': 'Sign in with your password'},
      field('User name', username),
      field('Password', password),
      h('button', {type: 'submit', class: 'button-primary'}, 'Sign in'));

  // step two: the authenticator's code, or (phone lost) a recovery code; one of the two is shown
  const code = h('input', {name: 'code', type: 'text', inputmode: 'numeric', autocomplete: 'one-time-code',
    required: true, pattern: '[0-9]{3} ?[0-9]{3}', maxLength: 7, spellcheck: false});
  const recovery = h('input', {name: 'recovery_code', type: 'text', autocomplete: 'off', required: true,
    maxLength: 32, spellcheck: false, autocapitalize: 'none', disabled: true});
  const codeField = field('Code', code, 'The 6 digits your authenticator app shows for consent-recorder now.');
  const recoveryField = field('Recovery code', recovery, 'One of the codes you stored when you enrolled, '
      + 'e.g. k7q2-mz4x-8rta-p3wn. Each works once.');
  recoveryField.hidden = true;
  const expiresNote = h('p', {class: 'hint'});
  const switchButton = h('button', {type: 'button', class: 'button-quiet', on: {click: () => useRecovery(recoveryField.hidden)}},
      'Use a recovery code instead');
  const codeForm = h('form', {class: 'signin-form', method: 'post', hidden: true, 'aria-label': 'Second factor'},
      h('h2', {}, 'Second factor'),
      expiresNote,
      codeField, recoveryField,
      h('div', {class: 'actions'},
          h('button', {type: 'submit', class: 'button-primary'}, 'Verify'),
          switchButton,
          h('button', {type: 'button', class: 'button-quiet', on: {click: () => startOver()}}, 'Start over')));
  let challenge = null;

  function useRecovery(yes) {
    codeField.hidden = yes;
    code.disabled = yes;
    recoveryField.hidden = !yes;
    recovery.disabled = !yes;
    code.value = '';
    recovery.value = '';
    replace(switchButton, yes ? 'Use the authenticator code instead' : 'Use a recovery code instead');
    (yes ? recovery : code).focus();
  }

  function startOver(notice) {
    challenge = null;
    codeForm.hidden = true;
    passwordForm.hidden = false;
    password.value = '';
    useRecovery(false);
    if (notice) {
      say(status, notice.kind, notice.text);
    } else {
      replace(status);
    }
    password.focus();
  }

  onSubmit(passwordForm, async (data) => {
    say(status, 'info', 'Signing in…');
    try {
      const answer = await api.login(data.username.trim(), data.password);
      password.value = '';
      if (answer && answer.token) {
        replace(status);
        await onSession(answer);
      } else if (asksForSecondFactor(answer)) {
        challenge = answer.challenge;
        const until = new Date(Date.now() + (answer.expires_in || 300) * 1000).toISOString();
        replace(expiresNote, `Your password was right. Finish signing in before ${formatTime(until).slice(11, 16)}.`);
        passwordForm.hidden = true;
        codeForm.hidden = false;
        replace(status);
        useRecovery(false);
      } else {
        say(status, 'error', 'The server answered the sign-in in a way this console does not understand.');
      }
    } catch (e) {
      password.value = '';
      say(status, 'error', signInError(e));
      password.focus();
    }
  });

  onSubmit(codeForm, async (data) => {
    const withRecovery = !recovery.disabled;
    const factor = withRecovery ? {recovery_code: data.recovery_code.trim()} : {code: normalCode(data.code)};
    say(status, 'info', 'Checking the code…');
    try {
      const answer = await api.loginSecondFactor(challenge, factor);
      code.value = '';
      recovery.value = '';
      replace(status);
      await onSession(answer);
    } catch (e) {
      code.value = '';
      recovery.value = '';
      if (e.status === 401 && e.code === 'challenge_expired') {
        startOver({kind: 'error', text: 'This sign-in expired or had too many wrong codes. '
            + 'Sign in again with your password.'});
      } else if (e.status === 401) {
        say(status, 'error', withRecovery
          ? 'That recovery code is wrong or was used already. Try another of your codes.'
          : 'Wrong code, or a code that was used already. Enter the code your app shows now.');
        (withRecovery ? recovery : code).focus();
      } else {
        say(status, 'error', signInError(e));
        (withRecovery ? recovery : code).focus();
      }
    }
  });

  replace(main, h('section', {class: 'signin'},
      h('h1', {tabindex: -1}, 'Sign in to the console'),
      h('p', {class: 'lede'}, 'For compliance officers, supervisors, auditors, agents and admins. '
          + 'What you may see depends on your role; every access to personal data is written to the audit trail.'),
      status, passwordForm, codeForm));
  username.focus();
}

/** A refused sign-in in words; throttling says how long to wait. */
export function signInError(e) {
  if (e.status === 401) {
    return 'Wrong user name or password.';
  }
  if (e.status === 429 || e.status === 503) {
    const seconds = e.body && Number(e.body.retry_after_seconds);
    const wait = seconds > 0 ? ` Try again in ${seconds} s.` : ' Try again later.';
    return (e.status === 429 ? 'Too many failed sign-ins for this account or from this address.'
      : 'The server is busy signing in others.') + wait;
  }
  if (e.status === 403 && e.code === 'account_locked') {
    return 'This account is locked after too many failed sign-ins. Ask an admin to unlock it.';
  }
  return `Sign-in failed: ${e.message}`;
}
