// Sign-in: user name and password, then (where the server asks for it) a second factor.
import * as api from '../api.js';
import {field, h, message, messageRegion, onSubmit, replace, say} from '../dom.js';

/**
 * Whether a login answer asks for a second factor instead of giving a session. The admin API does
 * not have this step yet (issue 13 adds it: password, then a short-lived challenge, then a code);
 * an answer without a token that says so shows the code step.
 */
export function asksForSecondFactor(answer) {
  return Boolean(answer) && !answer.token
      && (answer.second_factor_required === true || typeof answer.challenge === 'string');
}

/**
 * Sends the code of the second step. The admin API documents no such route yet, so there is
 * nothing to send it to; the operator is told so instead of being let in or shown a made-up error.
 */
async function sendSecondFactor() {
  throw new api.ApiError(0, 'second_factor_unsupported',
      'This server asks for a second factor, which this console version cannot send yet. '
      + 'Use a console that matches the server version.');
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

  const code = h('input', {name: 'code', type: 'text', inputmode: 'numeric', autocomplete: 'one-time-code',
    required: true, pattern: '[0-9]{6}', maxLength: 6});
  const codeForm = h('form', {class: 'signin-form', method: 'post', hidden: true,
    'aria-label': 'Second factor'},
  h('p', {}, 'Enter the 6-digit code from your authenticator app.'),
  field('Code', code),
  h('div', {class: 'actions'},
      h('button', {type: 'submit', class: 'button-primary'}, 'Verify'),
      h('button', {type: 'button', class: 'button-quiet', on: {click: startOver}}, 'Start over')));
  let challenge = null;

  function startOver() {
    challenge = null;
    codeForm.hidden = true;
    passwordForm.hidden = false;
    password.value = '';
    code.value = '';
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
        challenge = answer;
        passwordForm.hidden = true;
        codeForm.hidden = false;
        replace(status);
        code.focus();
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
    try {
      const answer = await sendSecondFactor(challenge, data.code);
      await onSession(answer);
    } catch (e) {
      say(status, 'error', e.message);
    }
  });

  replace(main, h('section', {class: 'signin'},
      h('h1', {tabindex: -1}, 'Sign in to the console'),
      h('p', {class: 'lede'}, 'For compliance officers, supervisors, auditors, agents and admins. '
          + 'What you may see depends on your role; every access to personal data is written to the audit trail.'),
      status, passwordForm, codeForm));
  username.focus();
}

function signInError(e) {
  if (e.status === 401) {
    return 'Wrong user name or password.';
  }
  if (e.status === 429) {
    return e.message;
  }
  return `Sign-in failed: ${e.message}`;
}
