// The administrator's playground: GraphiQL (from the `graphiql` package's own
// prebuilt UMD bundle and CSS, with React 18's UMD builds) plus a small sign-in
// panel, all served by this server: nothing is loaded from another host, and a
// Content-Security-Policy says so to the browser too. A policy pane beside GraphiQL
// checks a document with validatePolicy as it is typed and simulates it for the caller;
// an analysis pane asks who can do an action, what a principal can do, and what a policy
// change would newly allow and deny (listPrincipalsWithAccess, listAllowedActions, preview*).
//
// Routes: `GET /graphql` asked for by a browser (Accept: text/html) → the page;
// `GET /playground/assets/<name>` → one of a fixed list of files (resolved once,
// never a path built from the request).
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type http from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readTour, type TourStep } from './tour.js';

const require = createRequire(import.meta.url);
const here = (name: string) => fileURLToPath(new URL(`./static/${name}`, import.meta.url));

const JS = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';

/**
 * A file inside an installed package. The packages' `exports` maps hide their
 * UMD builds from require.resolve, so find the package's folder from its main
 * entry and join a fixed relative path.
 */
function packageFile(pkg: string, relative: string): string {
  let dir = dirname(require.resolve(pkg));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === pkg) return join(dir, relative);
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`Cannot find the folder of the package ${pkg}.`);
    dir = parent;
  }
}

/** The only files served under /playground/assets/. */
const ASSETS: Record<string, { file: () => string; type: string }> = {
  'react.production.min.js': { file: () => packageFile('react', 'umd/react.production.min.js'), type: JS },
  'react-dom.production.min.js': { file: () => packageFile('react-dom', 'umd/react-dom.production.min.js'), type: JS },
  'graphiql.min.js': { file: () => packageFile('graphiql', 'graphiql.min.js'), type: JS },
  'graphiql.min.css': { file: () => packageFile('graphiql', 'graphiql.min.css'), type: CSS },
  'playground.js': { file: () => here('playground.js'), type: JS },
  'playground.css': { file: () => here('playground.css'), type: CSS },
  'policy-pane.js': { file: () => here('policy-pane.js'), type: JS },
  'analysis-pane.js': { file: () => here('analysis-pane.js'), type: JS },
};

export const ASSET_PREFIX = '/playground/assets/';

const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  // GraphiQL and CodeMirror set style attributes at run time.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

const cache = new Map<string, Buffer>();
function load(name: string): Buffer {
  let body = cache.get(name);
  if (!body) {
    body = readFileSync(ASSETS[name]!.file());
    cache.set(name, body);
  }
  return body;
}

/** The tour's steps as examples: title, AWS CLI, operation, variables (with placeholders), whose token. */
export function tourExamples(steps: TourStep[] = readTour()): Array<Pick<TourStep, 'title' | 'as' | 'cli' | 'query' | 'variables'>> {
  return steps.map(({ title, as, cli, query, variables }) => ({ title, as, cli, query, variables }));
}

let examplesJson: Buffer | undefined;

function safeTourExamples(): ReturnType<typeof tourExamples> {
  try {
    return tourExamples();
  } catch {
    return []; // docs/tour.md missing or unreadable: the playground works without examples
  }
}

/** True when the request is the playground's: a browser asking /graphql for HTML, or one of its assets. */
export function isPlaygroundRequest(req: http.IncomingMessage, url: URL): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  if (url.pathname.startsWith(ASSET_PREFIX)) return true;
  return url.pathname === '/graphql' && !url.searchParams.has('query') && /\btext\/html\b/i.test(String(req.headers.accept ?? ''));
}

/** Answers a request for which isPlaygroundRequest is true. */
export function servePlayground(req: http.IncomingMessage, res: http.ServerResponse, url: URL): void {
  res.setHeader('x-content-type-options', 'nosniff');
  if (url.pathname === '/graphql') {
    return send(req, res, 200, 'text/html; charset=utf-8', Buffer.from(PAGE), 'no-store', { 'content-security-policy': CSP, 'x-frame-options': 'DENY', 'referrer-policy': 'no-referrer' });
  }
  const name = url.pathname.slice(ASSET_PREFIX.length);
  if (name === 'tour.json') {
    examplesJson ??= Buffer.from(JSON.stringify(safeTourExamples()));
    return send(req, res, 200, 'application/json; charset=utf-8', examplesJson, 'no-cache');
  }
  if (!Object.hasOwn(ASSETS, name)) return send(req, res, 404, 'text/plain; charset=utf-8', Buffer.from('Not found'), 'no-store');
  let body: Buffer;
  try {
    body = load(name);
  } catch {
    return send(req, res, 500, 'text/plain; charset=utf-8', Buffer.from('Playground asset unavailable'), 'no-store');
  }
  return send(req, res, 200, ASSETS[name]!.type, body, 'public, max-age=3600');
}

function send(req: http.IncomingMessage, res: http.ServerResponse, status: number, type: string, body: Buffer, cacheControl: string, extra: Record<string, string> = {}): void {
  res.statusCode = status;
  res.setHeader('content-type', type);
  res.setHeader('content-length', body.length);
  res.setHeader('cache-control', cacheControl);
  for (const [key, value] of Object.entries(extra)) res.setHeader(key, value);
  res.end(req.method === 'HEAD' ? undefined : body);
}

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>open-iam playground</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${ASSET_PREFIX}graphiql.min.css">
<link rel="stylesheet" href="${ASSET_PREFIX}playground.css">
</head>
<body>
<header id="session">
  <strong class="brand">open-iam</strong>
  <form id="sign-in" autocomplete="off">
    <select id="mode" aria-label="Sign in as">
      <option value="root">Root user</option>
      <option value="user">IAM user</option>
      <option value="key">Access key</option>
      <option value="web">Web identity token</option>
    </select>
    <span data-mode="root"><input id="email" type="email" placeholder="Root email" aria-label="Root email"></span>
    <span data-mode="user" hidden><input id="account" placeholder="Account id or alias" aria-label="Account id or alias"><input id="user-name" placeholder="User name" aria-label="User name"></span>
    <span data-mode="root user"><input id="password" type="password" placeholder="Password" aria-label="Password"><input id="mfa" placeholder="MFA code (optional)" aria-label="MFA code" inputmode="numeric" size="10"></span>
    <span data-mode="key" hidden><input id="access-key-id" placeholder="Access key id" aria-label="Access key id"><input id="secret-access-key" type="password" placeholder="Secret access key" aria-label="Secret access key"></span>
    <span data-mode="web" hidden><input id="web-role-arn" placeholder="Role ARN" aria-label="Role ARN"><input id="web-session-name" placeholder="Session name" aria-label="Session name" size="12"><input id="web-identity-token" type="password" placeholder="ID token (JWT)" aria-label="Web identity token"></span>
    <button id="sign-in-button" type="submit">Sign in</button>
  </form>
  <div id="signed-in" hidden>
    Signed in as <code id="who"></code> · session expires <time id="expires"></time>
    <button id="sign-out" type="button">Sign out</button>
  </div>
  <span id="status" role="status"></span>
  <button id="policy-toggle" type="button" aria-expanded="false" aria-controls="policy-pane">Policy</button>
  <button id="analysis-toggle" type="button" aria-expanded="false" aria-controls="analysis-pane">Analysis</button>
  <label class="examples">Tour examples <select id="examples"><option value="">— pick a step of docs/tour.md —</option></select></label>
</header>
<div id="example-note" hidden></div>
<div id="workspace">
<main id="graphiql">Loading GraphiQL…</main>
<aside id="policy-pane" hidden aria-label="Policy editor">
  <div class="policy-bar">
    <strong>Policy</strong>
    <select id="policy-type" aria-label="Policy type">
      <option value="IDENTITY_POLICY">Identity policy</option>
      <option value="RESOURCE_POLICY">Resource policy</option>
      <option value="TRUST_POLICY">Role trust policy</option>
      <option value="SERVICE_CONTROL_POLICY">Service control policy</option>
    </select>
    <button id="policy-format" type="button">Format</button>
  </div>
  <textarea id="policy-text" spellcheck="false" autocomplete="off" aria-label="Policy document (JSON)"></textarea>
  <ul id="policy-findings" aria-label="validatePolicy findings" aria-live="polite"></ul>
  <div class="policy-bar">
    <input id="sim-actions" placeholder="Actions, e.g. s3:GetObject" aria-label="Actions to simulate">
    <input id="sim-resources" placeholder="Resource ARNs (default *)" aria-label="Resource ARNs to simulate">
    <button id="simulate" type="button">Simulate as me</button>
  </div>
  <div id="sim-results" aria-live="polite"></div>
</aside>
<aside id="analysis-pane" hidden aria-label="Access analysis">
  <div class="analysis-bar" role="tablist" aria-label="Analyses">
    <strong>Analysis</strong>
    <button id="tab-who" type="button" role="tab" data-tab="who" aria-controls="analysis-who" aria-selected="true">Who can</button>
    <button id="tab-what" type="button" role="tab" data-tab="what" aria-controls="analysis-what" aria-selected="false">What can</button>
    <button id="tab-preview" type="button" role="tab" data-tab="preview" aria-controls="analysis-preview" aria-selected="false">Preview a change</button>
  </div>
  <section id="analysis-who" role="tabpanel" aria-labelledby="tab-who">
    <p class="hint">Who in this account may do one action on one resource (listPrincipalsWithAccess).</p>
    <div class="analysis-bar">
      <input id="who-action" placeholder="Action, e.g. s3:GetObject" aria-label="Action" autocomplete="off">
      <input id="who-resource" placeholder="Resource ARN (default *)" aria-label="Resource ARN" autocomplete="off">
      <input id="who-first" type="number" min="1" max="1000" value="50" aria-label="Page size" title="Page size">
      <button id="who-run" type="button">Who can</button>
    </div>
    <div id="who-results" aria-live="polite"></div>
  </section>
  <section id="analysis-what" role="tabpanel" aria-labelledby="tab-what" hidden>
    <p class="hint">What a user, role or the root user may do, per service (listAllowedActions).</p>
    <div class="analysis-bar">
      <input id="what-principal" placeholder="Principal ARN" aria-label="Principal ARN" autocomplete="off">
      <input id="what-resource" placeholder="Resource ARN (default *)" aria-label="Resource ARN" autocomplete="off">
      <input id="what-service" placeholder="Service, e.g. s3 (optional)" aria-label="Service prefix" autocomplete="off">
      <button id="what-run" type="button">What can</button>
    </div>
    <div id="what-results" aria-live="polite"></div>
  </section>
  <section id="analysis-preview" role="tabpanel" aria-labelledby="tab-preview" hidden>
    <p class="hint">What a change would newly allow and deny, without making it (the preview queries).</p>
    <div class="analysis-bar"><select id="preview-op" aria-label="Operation to preview"></select><button id="preview-run" type="button">Preview</button></div>
    <div id="preview-fields"></div>
    <div id="preview-results" aria-live="polite"></div>
  </section>
</aside>
</div>
<script src="${ASSET_PREFIX}react.production.min.js"></script>
<script src="${ASSET_PREFIX}react-dom.production.min.js"></script>
<script src="${ASSET_PREFIX}graphiql.min.js"></script>
<script src="${ASSET_PREFIX}playground.js"></script>
<script src="${ASSET_PREFIX}policy-pane.js"></script>
<script src="${ASSET_PREFIX}analysis-pane.js"></script>
</body>
</html>
`;
