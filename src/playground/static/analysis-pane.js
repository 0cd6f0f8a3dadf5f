// open-iam playground: the analysis pane, for administrators. Three analyses of the
// signed-in caller's account, through the API's own queries (and its guard):
// "Who can" (listPrincipalsWithAccess), "What can" (listAllowedActions) and "Preview a
// change" (the preview* dry runs: what a policy change would newly allow and deny).
// It talks to the server only through window.openIamPlayground (playground.js), which
// sends requests with the session's token without handing the token out, and keeps
// nothing in the browser's storage.
(function () {
  'use strict';
  const $ = (id) => document.getElementById(id);
  const api = window.openIamPlayground;
  if (!api) return;

  const WHO_CAN = `query PlaygroundWhoCan($input: ListPrincipalsWithAccessInput!, $first: Int, $after: String) {
  listPrincipalsWithAccess(input: $input, first: $first, after: $after) {
    principals { principalArn principalType matchedStatements { sourcePolicyId sourcePolicyType sid effect statementIndex } missingContextValues }
    isTruncated marker
  }
}`;
  const WHAT_CAN = `query PlaygroundWhatCan($input: ListAllowedActionsInput!, $first: Int, $after: String) {
  listAllowedActions(input: $input, first: $first, after: $after) { services { service serviceName actions } isTruncated marker }
}`;
  const PREVIEW_FIELDS = 'principals { principalArn newlyAllowed { action resource } newlyDenied { action resource } } actionCount resourceCount truncated';

  // The change previews offered, each with the fields of its mutation's input, in order.
  // `document` fields are policy documents (a textarea); `flag` fields are booleans.
  const F = {
    user: { name: 'userName', label: 'User name' },
    role: { name: 'roleName', label: 'Role name' },
    group: { name: 'groupName', label: 'Group name' },
    policyName: { name: 'policyName', label: 'Inline policy name' },
    policyArn: { name: 'policyArn', label: 'Managed policy ARN' },
    boundary: { name: 'permissionsBoundary', label: 'Boundary policy ARN' },
    versionId: { name: 'versionId', label: 'Version id, e.g. v2' },
    document: { name: 'policyDocument', label: 'Policy document', document: true },
    setAsDefault: { name: 'setAsDefault', label: 'Set as default', flag: true },
  };
  const OPERATIONS = Object.freeze([
    { name: 'putUserPolicy', fields: [F.user, F.policyName, F.document] },
    { name: 'putGroupPolicy', fields: [F.group, F.policyName, F.document] },
    { name: 'putRolePolicy', fields: [F.role, F.policyName, F.document] },
    { name: 'deleteUserPolicy', fields: [F.user, F.policyName] },
    { name: 'deleteGroupPolicy', fields: [F.group, F.policyName] },
    { name: 'deleteRolePolicy', fields: [F.role, F.policyName] },
    { name: 'attachUserPolicy', fields: [F.user, F.policyArn] },
    { name: 'attachGroupPolicy', fields: [F.group, F.policyArn] },
    { name: 'attachRolePolicy', fields: [F.role, F.policyArn] },
    { name: 'detachUserPolicy', fields: [F.user, F.policyArn] },
    { name: 'detachGroupPolicy', fields: [F.group, F.policyArn] },
    { name: 'detachRolePolicy', fields: [F.role, F.policyArn] },
    { name: 'putUserPermissionsBoundary', fields: [F.user, F.boundary] },
    { name: 'putRolePermissionsBoundary', fields: [F.role, F.boundary] },
    { name: 'deleteUserPermissionsBoundary', fields: [F.user] },
    { name: 'deleteRolePermissionsBoundary', fields: [F.role] },
    { name: 'createPolicyVersion', fields: [F.policyArn, F.document, F.setAsDefault] },
    { name: 'setDefaultPolicyVersion', fields: [F.policyArn, F.versionId] },
    { name: 'updateAssumeRolePolicy', fields: [F.role, Object.assign({}, F.document, { label: 'Trust policy' })] },
    { name: 'addUserToGroup', fields: [F.group, F.user] },
    { name: 'removeUserFromGroup', fields: [F.group, F.user] },
  ]);

  const upper = (name) => name[0].toUpperCase() + name.slice(1);
  const previewQuery = (op) =>
    `query PlaygroundPreview${upper(op.name)}($input: ${upper(op.name)}Input!) { preview${upper(op.name)}(input: $input) { ${PREVIEW_FIELDS} } }`;

  function element(tag, attributes, ...children) {
    const el = document.createElement(tag);
    for (const [key, value] of Object.entries(attributes || {})) el.setAttribute(key, value);
    for (const child of children) el.append(child);
    return el;
  }

  const table = (headings, rows) =>
    element('table', {}, element('thead', {}, element('tr', {}, ...headings.map((h) => element('th', {}, h)))), element('tbody', {}, ...rows));

  /** The API's first error as "Code: message", with the code on the element for whoever reads it. */
  function errorElement(result) {
    const error = result.errors && result.errors[0];
    if (!error) return null;
    const code = (error.extensions && error.extensions.code) || '';
    return element('p', { class: 'error', role: 'alert', 'data-code': code }, (code ? code + ': ' : '') + error.message);
  }

  const note = (text, cls) => element('p', cls ? { class: cls } : {}, text);

  // The latest question asked into each output: an older answer arriving later is dropped.
  const latest = new Map();

  /** Sends one query; on an API error or a failed request shows it in `out` and answers null. */
  async function ask(out, query, variables, what) {
    const ticket = (latest.get(out) || 0) + 1;
    latest.set(out, ticket);
    if (!api.caller().arn) {
      out.replaceChildren(note('Sign in first: the analyses run as the signed-in caller.', 'error'));
      return null;
    }
    try {
      const result = await api.request(query, variables);
      if (latest.get(out) !== ticket) return null;
      const error = errorElement(result);
      if (error) {
        out.replaceChildren(error);
        return null;
      }
      return result.data;
    } catch (e) {
      if (latest.get(out) !== ticket) return null;
      out.replaceChildren(note(what + ' failed: ' + e.message, 'error'));
      return null;
    }
  }

  /** A "More" button that fetches the next page with the marker and appends it. */
  function moreButton(id, load) {
    const button = element('button', { type: 'button', id }, 'More');
    button.addEventListener('click', () => {
      button.remove();
      load();
    });
    return button;
  }

  // Who can: the principals allowed an action on a resource, each with the statements that grant it.
  const statementText = (m) =>
    m.sourcePolicyType === 'root'
      ? 'the root user (every action on its account)'
      : (m.sid ? m.sid : 'statement ' + m.statementIndex) + ' in ' + (m.sourcePolicyId || '(policy)') + ' (' + m.sourcePolicyType + ')';

  // A next page is asked with the input and page size of the first (the marker belongs to them).
  async function whoCan(after, asked) {
    const out = $('who-results');
    const input = asked ? asked.input : { actionName: $('who-action').value.trim(), resourceArn: $('who-resource').value.trim() || '*' };
    const first = asked ? asked.first : Number($('who-first').value) || 100;
    if (!input.actionName) return out.replaceChildren(note('Name one action, e.g. s3:GetObject.', 'error'));
    if (!after) out.replaceChildren(note('Asking…'));
    const data = await ask(out, WHO_CAN, { input, first, after: after || null }, 'Who can');
    if (!data) return;
    const page = data.listPrincipalsWithAccess;
    const rows = page.principals.map((p) =>
      element(
        'tr',
        { 'data-principal-arn': p.principalArn },
        element('td', {}, element('code', {}, p.principalArn)),
        element('td', {}, p.principalType),
        element('td', {}, p.matchedStatements.map(statementText).join('; ') + (p.missingContextValues.length ? ' — needs context: ' + p.missingContextValues.join(', ') : '')),
      ),
    );
    let body = out.querySelector('tbody');
    if (!after || !body) {
      out.replaceChildren(note('Allowed ' + input.actionName + ' on ' + input.resourceArn + ' (identity policies and boundaries):'), table(['Principal', 'Type', 'Granted by'], []));
      body = out.querySelector('tbody');
    }
    body.append(...rows);
    if (!after && rows.length === 0) out.append(note('Nobody in the account is allowed this.', 'empty'));
    if (page.isTruncated && page.marker) out.append(moreButton('who-more', () => whoCan(page.marker, { input, first })));
  }

  // What can: per service, the actions a principal may perform on a resource.
  async function whatCan(after, asked) {
    const out = $('what-results');
    const input = asked || { principalArn: $('what-principal').value.trim() || api.caller().arn || '' };
    const resourceArn = $('what-resource').value.trim();
    const service = $('what-service').value.trim();
    if (!asked && resourceArn) input.resourceArn = resourceArn;
    if (!asked && service) input.service = service;
    if (!after) out.replaceChildren(note('Asking…'));
    const data = await ask(out, WHAT_CAN, { input, first: 100, after: after || null }, 'What can');
    if (!data) return;
    const page = data.listAllowedActions;
    if (!after) out.replaceChildren(note(input.principalArn + ' may, on ' + (input.resourceArn || '*') + ':'));
    for (const s of page.services) {
      out.append(
        element(
          'section',
          { class: 'service', 'data-service': s.service },
          element('h4', {}, s.service + ' — ' + s.serviceName + ' (' + s.actions.length + ')'),
          element('ul', {}, ...s.actions.map((a) => element('li', {}, element('code', {}, a)))),
        ),
      );
    }
    if (!after && page.services.length === 0) out.append(note('No action of any service is allowed.', 'empty'));
    if (page.isTruncated && page.marker) out.append(moreButton('what-more', () => whatCan(page.marker, input)));
  }

  // Preview a change: the fields of the chosen operation, then per principal what it would newly allow and deny.
  const operation = () => OPERATIONS.find((op) => op.name === $('preview-op').value);

  function renderPreviewFields() {
    const fields = $('preview-fields');
    const kept = {};
    for (const el of fields.querySelectorAll('[data-field]')) kept[el.getAttribute('data-field')] = el.type === 'checkbox' ? el.checked : el.value;
    const names = element('div', { class: 'analysis-bar' });
    fields.replaceChildren(names);
    for (const field of operation().fields) {
      const id = 'preview-' + field.name;
      if (field.document) {
        const area = element('textarea', { id, 'data-field': field.name, spellcheck: 'false', autocomplete: 'off', 'aria-label': field.label, placeholder: field.label + ' (JSON)' });
        area.value = kept[field.name] || '';
        const copy = element('button', { type: 'button', id: 'preview-from-policy' }, "Use the policy pane's document");
        copy.addEventListener('click', () => (area.value = $('policy-text').value));
        fields.append(element('div', { class: 'analysis-bar' }, element('label', { for: id }, field.label), copy), area);
      } else if (field.flag) {
        const box = element('input', { id, type: 'checkbox', 'data-field': field.name });
        box.checked = kept[field.name] !== false;
        names.append(element('label', { class: 'flag' }, box, ' ' + field.label));
      } else {
        const input = element('input', { id, 'data-field': field.name, placeholder: field.label, 'aria-label': field.label, autocomplete: 'off' });
        input.value = kept[field.name] || '';
        names.append(input);
      }
    }
  }

  // A change to everything (`*`) lists tens of thousands of pairs: the page shows the first ones.
  const MAX_ROWS = 500;

  function changeTable(kind, changes) {
    if (changes.length === 0) return note('Nothing ' + kind + '.', 'empty');
    const rows = changes.slice(0, MAX_ROWS).map((c) => element('tr', {}, element('td', {}, element('code', {}, c.action)), element('td', {}, element('code', {}, c.resource))));
    const shown = table(['Action', 'Resource'], rows);
    if (changes.length <= MAX_ROWS) return shown;
    const rest = changes.length - MAX_ROWS;
    return element('div', {}, shown, note('… and ' + rest + ' more not shown here (run the preview in GraphiQL for the whole list).', 'more-rows'));
  }

  async function preview() {
    const out = $('preview-results');
    const op = operation();
    const input = {};
    for (const el of $('preview-fields').querySelectorAll('[data-field]')) {
      input[el.getAttribute('data-field')] = el.type === 'checkbox' ? el.checked : el.getAttribute('data-field') === 'policyDocument' ? el.value : el.value.trim();
    }
    out.replaceChildren(note('Previewing…'));
    const data = await ask(out, previewQuery(op), { input }, 'Preview');
    if (!data) return;
    const result = data['preview' + upper(op.name)];
    out.replaceChildren(
      note('Nothing was written. Domain: ' + result.actionCount + ' actions × ' + result.resourceCount + ' resources.', 'domain'),
    );
    if (result.truncated) {
      out.append(note('Truncated: the bound on evaluations cut the comparison short. What is listed holds; more may differ.', 'warning truncated'));
    }
    if (result.principals.length === 0) out.append(note('No principal is reached by this change.', 'empty'));
    for (const p of result.principals) {
      const unchanged = p.newlyAllowed.length === 0 && p.newlyDenied.length === 0;
      out.append(
        element(
          'section',
          { class: 'principal-change', 'data-principal-arn': p.principalArn },
          element('h4', {}, element('code', {}, p.principalArn), unchanged ? (result.truncated ? ' — no change found' : ' — no change') : ''),
          ...(unchanged
            ? []
            : [
                element('div', { class: 'newly-allowed' }, element('h5', {}, 'Newly allowed (' + p.newlyAllowed.length + ')'), changeTable('newly allowed', p.newlyAllowed)),
                element('div', { class: 'newly-denied' }, element('h5', {}, 'Newly denied (' + p.newlyDenied.length + ')'), changeTable('newly denied', p.newlyDenied)),
              ]),
        ),
      );
    }
  }

  function showTab(name) {
    for (const tab of document.querySelectorAll('#analysis-pane [role=tab]')) {
      const selected = tab.getAttribute('data-tab') === name;
      tab.setAttribute('aria-selected', String(selected));
      $(tab.getAttribute('aria-controls')).hidden = !selected;
    }
  }

  function toggle() {
    const pane = $('analysis-pane');
    pane.hidden = !pane.hidden;
    $('analysis-toggle').setAttribute('aria-expanded', String(!pane.hidden));
    if (!pane.hidden && !$('what-principal').value && api.caller().arn) $('what-principal').value = api.caller().arn;
  }

  // Signing out forgets what the previous caller was shown.
  function forget() {
    for (const id of ['who-results', 'what-results', 'preview-results']) {
      latest.set($(id), (latest.get($(id)) || 0) + 1); // an answer still on its way is not shown
      $(id).replaceChildren();
    }
    $('what-principal').value = '';
  }

  const onEnter = (ids, run) => ids.forEach((id) => $(id).addEventListener('keydown', (event) => event.key === 'Enter' && run()));

  for (const op of OPERATIONS) $('preview-op').append(element('option', { value: op.name }, op.name));
  renderPreviewFields();
  $('analysis-toggle').addEventListener('click', toggle);
  $('sign-out').addEventListener('click', forget);
  for (const tab of document.querySelectorAll('#analysis-pane [role=tab]')) tab.addEventListener('click', () => showTab(tab.getAttribute('data-tab')));
  $('who-run').addEventListener('click', () => whoCan());
  $('what-run').addEventListener('click', () => whatCan());
  $('preview-op').addEventListener('change', renderPreviewFields);
  $('preview-run').addEventListener('click', preview);
  onEnter(['who-action', 'who-resource'], () => whoCan());
  onEnter(['what-principal', 'what-resource', 'what-service'], () => whatCan());
})();
