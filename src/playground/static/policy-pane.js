// open-iam playground: the policy pane. A JSON editor for one policy document,
// checked as you type by validatePolicy (Access Analyzer's findings, each with its
// line and column; clicking one selects its text), a Format button, and
// "Simulate as me": what the signed-in caller could do with this document added to
// their own policies (simulatePrincipalPolicy for an IAM user; the document alone,
// through simulateCustomPolicy, for root and role sessions).
// It talks to the server only through window.openIamPlayground (playground.js),
// which sends requests with the session's token without handing the token out.
(function () {
  'use strict';
  const $ = (id) => document.getElementById(id);
  const api = window.openIamPlayground;
  if (!api) return;

  const EXAMPLE = JSON.stringify(
    { Version: '2012-10-17', Statement: [{ Sid: 'ReadReports', Effect: 'Allow', Action: ['s3:GetObject', 's3:GetObjekt'], Resource: 'arn:aws:s3:::reports/*' }] },
    null,
    2,
  );

  const VALIDATE = `query PlaygroundValidatePolicy($input: ValidatePolicyInput!) {
  validatePolicy(input: $input) {
    findings { findingType issueCode findingDetails learnMoreLink locations { span { start { line column offset } end { offset } } } }
  }
}`;
  const STATEMENTS = 'matchedStatements { sourcePolicyId sid effect startPosition { line column } }';
  const RESULTS = `evaluationResults { evalActionName evalResourceName evalDecision missingContextValues ${STATEMENTS} }`;
  const SIMULATE_PRINCIPAL = `mutation PlaygroundSimulateAsMe($input: SimulatePrincipalPolicyInput!) { simulatePrincipalPolicy(input: $input) { ${RESULTS} } }`;
  const SIMULATE_CUSTOM = `mutation PlaygroundSimulateDocument($input: SimulateCustomPolicyInput!) { simulateCustomPolicy(input: $input) { ${RESULTS} } }`;

  function element(tag, attributes, ...children) {
    const el = document.createElement(tag);
    for (const [key, value] of Object.entries(attributes || {})) el.setAttribute(key, value);
    for (const child of children) el.append(child);
    return el;
  }

  function errorText(result) {
    const error = result.errors && result.errors[0];
    if (!error) return null;
    const code = error.extensions && error.extensions.code;
    const where = error.extensions && error.extensions.line ? ' (line ' + error.extensions.line + ', column ' + error.extensions.column + ')' : '';
    return (code ? code + ': ' : '') + error.message + where;
  }

  function policyType() {
    const value = $('policy-type').value;
    return value === 'TRUST_POLICY'
      ? { policyType: 'RESOURCE_POLICY', validatePolicyResourceType: 'AWS::IAM::AssumeRolePolicyDocument' }
      : { policyType: value };
  }

  function selectSpan(start, end) {
    const editor = $('policy-text');
    editor.focus();
    editor.setSelectionRange(start, end);
  }

  function renderFindings(findings) {
    const list = $('policy-findings');
    list.replaceChildren();
    $('policy-text').classList.toggle('has-errors', findings.some((f) => f.findingType === 'ERROR'));
    if (findings.length === 0) {
      list.append(element('li', { class: 'finding clean' }, 'No findings.'));
      return;
    }
    for (const finding of findings) {
      const span = finding.locations[0] && finding.locations[0].span;
      const where = span ? 'line ' + span.start.line + ', column ' + (span.start.column + 1) : 'document';
      const link = element('a', { href: finding.learnMoreLink, target: '_blank', rel: 'noopener noreferrer' }, 'learn more');
      const item = element(
        'li',
        { class: 'finding ' + finding.findingType, 'data-issue-code': finding.issueCode, tabindex: '0' },
        element('span', { class: 'finding-type' }, finding.findingType),
        ' ',
        element('code', {}, finding.issueCode),
        ' ',
        element('span', { class: 'finding-where' }, where),
        element('div', { class: 'finding-details' }, finding.findingDetails, ' ', link),
      );
      if (span) {
        const select = (event) => {
          if (event.target === link) return;
          selectSpan(span.start.offset, span.end.offset);
        };
        item.addEventListener('click', select);
        item.addEventListener('keydown', (event) => event.key === 'Enter' && select(event));
      }
      list.append(item);
    }
  }

  let pending;
  let asked = 0;
  async function validate() {
    const text = $('policy-text').value;
    const ask = ++asked;
    if (!text.trim()) return renderFindings([]);
    try {
      const result = await api.request(VALIDATE, { input: Object.assign({ policyDocument: text }, policyType()) });
      if (ask !== asked) return; // an older answer than the text on screen
      const error = errorText(result);
      if (error) {
        $('policy-findings').replaceChildren(element('li', { class: 'finding ERROR' }, error));
        return;
      }
      renderFindings(result.data.validatePolicy.findings);
    } catch (e) {
      $('policy-findings').replaceChildren(element('li', { class: 'finding ERROR' }, 'validatePolicy failed: ' + e.message));
    }
  }

  function validateSoon() {
    clearTimeout(pending);
    pending = setTimeout(validate, 350);
  }

  function format() {
    try {
      $('policy-text').value = JSON.stringify(JSON.parse($('policy-text').value), null, 2);
      validate();
    } catch (e) {
      $('sim-results').replaceChildren(element('p', { class: 'error' }, 'Not JSON yet: see the findings for where.'));
    }
  }

  const split = (value) => value.split(/[\s,]+/).filter(Boolean);

  async function simulate() {
    const caller = api.caller();
    const out = $('sim-results');
    if (!caller.arn) return out.replaceChildren(element('p', { class: 'error' }, 'Sign in first: the simulation is for the signed-in caller.'));
    const actionNames = split($('sim-actions').value);
    if (actionNames.length === 0) return out.replaceChildren(element('p', { class: 'error' }, 'Name at least one action, e.g. s3:GetObject.'));
    const resourceArns = split($('sim-resources').value);
    const policyText = $('policy-text').value;
    const asUser = /^arn:[^:]+:iam::\d{12}:user\//.test(caller.arn);
    const input = { actionNames, resourceArns: resourceArns.length ? resourceArns : null, policyInputList: [policyText] };
    out.replaceChildren(element('p', {}, 'Simulating…'));
    try {
      const result = asUser
        ? await api.request(SIMULATE_PRINCIPAL, { input: Object.assign({ policySourceArn: caller.arn }, input) })
        : await api.request(SIMULATE_CUSTOM, { input: Object.assign({ callerArn: caller.arn }, input) });
      const error = errorText(result);
      if (error) return out.replaceChildren(element('p', { class: 'error' }, error));
      const rows = (asUser ? result.data.simulatePrincipalPolicy : result.data.simulateCustomPolicy).evaluationResults.map((r) =>
        element(
          'tr',
          { class: r.evalDecision },
          element('td', {}, r.evalActionName),
          element('td', {}, r.evalResourceName),
          element('td', { class: 'decision' }, r.evalDecision),
          element(
            'td',
            {},
            r.matchedStatements.map((m) => (m.sid || m.effect) + ' in ' + (m.sourcePolicyId || 'policy') + (m.startPosition ? ' (line ' + m.startPosition.line + ')' : '')).join('; ') +
              (r.missingContextValues.length ? ' — missing context: ' + r.missingContextValues.join(', ') : ''),
          ),
        ),
      );
      const note = asUser
        ? 'As ' + caller.arn + ', with this document added to your policies:'
        : 'This document alone, for ' + caller.arn + ' (root and role sessions are not simulated with their own policies here):';
      out.replaceChildren(
        element('p', {}, note),
        element('table', {}, element('thead', {}, element('tr', {}, element('th', {}, 'Action'), element('th', {}, 'Resource'), element('th', {}, 'Decision'), element('th', {}, 'Decided by'))), element('tbody', {}, ...rows)),
      );
    } catch (e) {
      out.replaceChildren(element('p', { class: 'error' }, 'Simulation failed: ' + e.message));
    }
  }

  function toggle() {
    const pane = $('policy-pane');
    pane.hidden = !pane.hidden;
    $('policy-toggle').setAttribute('aria-expanded', String(!pane.hidden));
    if (!pane.hidden) {
      if (!$('policy-text').value) $('policy-text').value = EXAMPLE;
      validate();
    }
  }

  $('policy-toggle').addEventListener('click', toggle);
  $('policy-text').addEventListener('input', validateSoon);
  $('policy-type').addEventListener('change', validate);
  $('policy-format').addEventListener('click', format);
  $('simulate').addEventListener('click', simulate);
})();
