// open-iam playground: a sign-in panel around GraphiQL. The session token lives
// in this page's memory only; signing out revokes it on the server and forgets it.
/* global React, ReactDOM, GraphiQL */
(function () {
  'use strict';
  const endpoint = '/graphql';
  const $ = (id) => document.getElementById(id);
  const session = { token: null, expiration: null, arn: null, account: null };

  const DEFAULT_QUERY = `# Welcome to the open-iam playground.
#
# 1. Sign in above: root (email + password), an IAM user
#    (account id or alias + user name + password) or an
#    access key. Requests from this page then carry
#    "Authorization: Bearer <session token>".
# 2. Each AWS IAM/STS action is a field in lowerCamelCase
#    (CreateUser -> createUser). "Tour examples" loads the
#    steps of docs/tour.md; the Docs panel lists them all.

query WhoAmI {
  getCallerIdentity {
    account
    arn
    userId
  }
}
`;

  async function post(query, variables, token, extraHeaders) {
    const headers = Object.assign({ 'content-type': 'application/json', accept: 'application/json' }, extraHeaders || {});
    if (token && !Object.keys(headers).some((h) => h.toLowerCase() === 'authorization')) headers.authorization = 'Bearer ' + token;
    const response = await fetch(endpoint, { method: 'POST', headers, body: JSON.stringify({ query, variables }), credentials: 'omit' });
    return response.json();
  }

  // GraphiQL's fetcher: the signed-in session's token goes into its headers
  // (an Authorization header typed into GraphiQL's Headers tab wins).
  // With introspection off (the default under NODE_ENV=production) the server shows its schema
  // to signed-in callers only: before sign-in the Docs panel says why it is empty, and signing
  // in loads it (renderGraphiQL again, below).
  const DOCS_OFF = 'The Docs panel needs the schema, which this server shows to signed-in callers only ' +
    '(introspection is off, the default under NODE_ENV=production): sign in above, or start the server with IAM_INTROSPECTION=true.';
  async function fetcher(params, opts) {
    const result = await post(params.query, params.variables, session.token, opts && opts.headers);
    if (params.operationName === 'IntrospectionQuery' && result.errors && result.errors.some((e) => /introspection/i.test(e.message))) {
      document.body.classList.add('docs-off');
      status(DOCS_OFF, true);
      return { errors: [{ message: DOCS_OFF }] };
    }
    if (params.operationName === 'IntrospectionQuery' && result.data) document.body.classList.remove('docs-off');
    return result;
  }

  function status(text, isError) {
    const el = $('status');
    el.textContent = text || '';
    el.className = isError ? 'error' : '';
  }

  function firstError(result) {
    const error = result.errors && result.errors[0];
    if (!error) return null;
    const code = error.extensions && error.extensions.code;
    return (code ? code + ': ' : '') + error.message;
  }

  function showMode() {
    const mode = $('mode').value;
    for (const el of document.querySelectorAll('[data-mode]')) el.hidden = !el.getAttribute('data-mode').split(' ').includes(mode);
  }

  function relative(date) {
    const minutes = Math.round((date.getTime() - Date.now()) / 60000);
    return minutes >= 0 ? 'in ' + minutes + ' min' : minutes + ' min ago';
  }

  function renderSession() {
    const signedIn = Boolean(session.token);
    $('sign-in').hidden = signedIn;
    $('signed-in').hidden = !signedIn;
    if (!signedIn) {
      $('who').textContent = '';
      $('expires').textContent = '';
      $('expires').removeAttribute('datetime');
    } else {
      $('who').textContent = session.arn || '(unknown)';
      const expires = new Date(session.expiration);
      $('expires').dateTime = expires.toISOString();
      $('expires').textContent = expires.toLocaleString() + ' (' + relative(expires) + ')';
      $('expires').title = expires.toISOString();
    }
  }

  async function signIn(event) {
    event.preventDefault();
    const mode = $('mode').value;
    status('Signing in…');
    try {
      let token;
      let expiration;
      let note = '';
      if (mode === 'key') {
        const result = await post(
          'mutation PlaygroundGetSessionToken($input: GetSessionTokenInput) { getSessionToken(input: $input) { credentials { sessionToken expiration } } }',
          { input: { accessKeyId: $('access-key-id').value.trim(), secretAccessKey: $('secret-access-key').value } },
        );
        const error = firstError(result);
        if (error) return status(error, true);
        token = result.data.getSessionToken.credentials.sessionToken;
        expiration = result.data.getSessionToken.credentials.expiration;
      } else if (mode === 'web') {
        // AssumeRoleWithWebIdentity: the ID token of an OpenID Provider registered in the role's account.
        const result = await post(
          'mutation PlaygroundAssumeRoleWithWebIdentity($input: AssumeRoleWithWebIdentityInput!) { assumeRoleWithWebIdentity(input: $input) { credentials { sessionToken expiration } } }',
          { input: { roleArn: $('web-role-arn').value.trim(), roleSessionName: $('web-session-name').value.trim() || 'playground', webIdentityToken: $('web-identity-token').value.trim() } },
        );
        const error = firstError(result);
        if (error) return status(error, true);
        token = result.data.assumeRoleWithWebIdentity.credentials.sessionToken;
        expiration = result.data.assumeRoleWithWebIdentity.credentials.expiration;
      } else {
        const input = { password: $('password').value };
        if (mode === 'root') input.email = $('email').value.trim();
        else {
          input.accountId = $('account').value.trim();
          input.userName = $('user-name').value.trim();
        }
        const mfa = $('mfa').value.trim();
        if (mfa) input.mfaCode = mfa;
        const result = await post(
          'mutation PlaygroundSignIn($input: SignInInput!) { signIn(input: $input) { sessionToken expiration arn passwordResetRequired } }',
          { input },
        );
        const error = firstError(result);
        if (error) return status(error, true);
        token = result.data.signIn.sessionToken;
        expiration = result.data.signIn.expiration;
        if (result.data.signIn.passwordResetRequired) note = 'Your password must be changed first: run changePassword.';
      }
      const identity = await post('query PlaygroundWhoAmI { getCallerIdentity { account arn userId } }', {}, token);
      const error = firstError(identity);
      if (error) return status(error, true);
      session.token = token;
      session.expiration = expiration;
      session.arn = identity.data.getCallerIdentity.arn;
      session.account = identity.data.getCallerIdentity.account;
      for (const id of ['password', 'mfa', 'secret-access-key', 'web-identity-token']) $(id).value = '';
      renderSession();
      status(note, Boolean(note));
      // The schema refused before sign-in is fetched again, now as the signed-in caller.
      if (document.body.classList.contains('docs-off')) renderGraphiQL(null);
    } catch (e) {
      status('Sign-in failed: ' + e.message, true);
    }
  }

  async function signOut() {
    const token = session.token;
    session.token = session.expiration = session.arn = session.account = null;
    renderSession();
    try {
      const result = await post('mutation PlaygroundSignOut { signOut }', {}, token);
      const error = firstError(result);
      status(error ? 'Signed out here; the server said ' + error : 'Signed out.', Boolean(error));
    } catch (e) {
      status('Signed out here; the server could not be reached.', true);
    }
  }

  // GraphiQL keeps its editors in localStorage. Variables and headers (where passwords,
  // secret keys and tokens get typed) and responses (a new access key's secret) stay in this
  // page's memory: what reaches the browser's storage is queries only, in the tabs, the
  // history and the favourites. Anything an older playground left there is scrubbed.
  const storage = (function () {
    const NAMESPACE = 'graphiql:';
    const MEMORY_ONLY = new Set([NAMESPACE + 'variables', NAMESPACE + 'headers']);
    const STRIPPED = new Set([NAMESPACE + 'tabState', NAMESPACE + 'queries', NAMESPACE + 'favorites']);
    const SECRET_FIELDS = new Set(['variables', 'headers', 'response']);
    const memory = new Map();
    const withoutSecrets = (value) => {
      try {
        return JSON.stringify(JSON.parse(value), (field, v) => (SECRET_FIELDS.has(field) ? null : v));
      } catch (e) {
        return null;
      }
    };
    const persisted = (key, value) => (MEMORY_ONLY.has(key) ? null : STRIPPED.has(key) ? withoutSecrets(value) : value);
    const keys = () => Object.keys(window.localStorage).filter((key) => key.startsWith(NAMESPACE));
    for (const key of keys()) {
      const kept = persisted(key, window.localStorage.getItem(key));
      if (kept === null) window.localStorage.removeItem(key);
      else window.localStorage.setItem(key, kept);
    }
    return {
      getItem: (key) => (memory.has(key) ? memory.get(key) : window.localStorage.getItem(key)),
      setItem(key, value) {
        memory.set(key, String(value));
        const kept = persisted(key, String(value));
        if (kept === null) window.localStorage.removeItem(key);
        else window.localStorage.setItem(key, kept);
      },
      removeItem(key) {
        memory.delete(key);
        window.localStorage.removeItem(key);
      },
      clear() {
        memory.clear();
        for (const key of keys()) window.localStorage.removeItem(key);
      },
      get length() {
        return new Set([...memory.keys(), ...keys()]).size;
      },
    };
  })();

  // GraphiQL, remounted with a new query when a tour example is picked (it opens in a new tab).
  const root = ReactDOM.createRoot($('graphiql'));
  let generation = 0;
  function renderGraphiQL(example) {
    generation += 1;
    const props = { key: generation, fetcher, storage, defaultQuery: DEFAULT_QUERY, defaultEditorToolsVisibility: true, isHeadersEditorEnabled: true, shouldPersistHeaders: false };
    if (example) {
      props.query = example.query;
      props.variables = example.variables;
    }
    root.render(React.createElement(GraphiQL, props));
  }

  let examples = [];
  async function loadExamples() {
    try {
      const response = await fetch('/playground/assets/tour.json');
      examples = await response.json();
      const select = $('examples');
      examples.forEach((example, index) => {
        const option = document.createElement('option');
        option.value = String(index);
        option.textContent = example.title + ' (as ' + example.as + ')';
        select.appendChild(option);
      });
    } catch (e) {
      $('examples').disabled = true;
    }
  }

  function pickExample() {
    const example = examples[Number($('examples').value)];
    const note = $('example-note');
    if (!example) {
      note.hidden = true;
      return;
    }
    const known = { accountId: session.account || '' };
    const variables = example.variables.replace(/\{\{(\w+)\}\}/g, (whole, name) => (known[name] ? known[name] : whole));
    note.hidden = false;
    note.textContent = 'Run as: ' + example.as + '. Replaces: ' + example.cli.replace(/\\\n\s*/g, ' ') +
      (/\{\{\w+\}\}/.test(variables) ? ' — fill the {{placeholders}} with values from earlier steps.' : '');
    renderGraphiQL({ query: example.query + '\n', variables });
  }

  // The policy pane (policy-pane.js) sends its requests as the signed-in caller through this,
  // without being handed the token.
  window.openIamPlayground = Object.freeze({
    request: (query, variables) => post(query, variables, session.token),
    caller: () => ({ arn: session.arn, account: session.account }),
  });

  $('mode').addEventListener('change', showMode);
  $('sign-in').addEventListener('submit', signIn);
  $('sign-out').addEventListener('click', signOut);
  $('examples').addEventListener('change', pickExample);
  showMode();
  renderSession();
  renderGraphiQL(null);
  loadExamples();
  setInterval(() => session.token && renderSession(), 30000);
})();
