// `npm run demo`: starts open-iam on a fresh embedded database, loads the state of
// the guided tour (docs/tour.md) by running its operations against the server,
// then keeps serving and prints the playground's URL and the demo credentials.
//
// Without IAM_DATA_DIR the data lives in ./.data/demo, wiped at every start (so a
// `npm start` cluster in ./.data is never touched); its embedded Postgres listens on
// EMBEDDED_PG_PORT (default here 54339, beside `npm start`'s 54329).
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { httpSender, readTour, runStep, type TourStep } from '../src/playground/tour.js';

const env = process.env;
if (!env.IAM_DATA_DIR && !env.DATABASE_URL) {
  env.IAM_DATA_DIR = resolve('.data/demo');
  rmSync(env.IAM_DATA_DIR, { recursive: true, force: true });
}
env.EMBEDDED_PG_PORT ??= '54339';
env.IAM_OPERATOR_TOKEN ??= 'demo-operator-token-not-a-secret';
env.LOG_LEVEL ??= 'warn';
const port = env.PORT ?? '4000';
const host = !env.HOST || env.HOST === '0.0.0.0' || env.HOST === '::' ? '127.0.0.1' : env.HOST;
const base = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

let failed = false;
process.on('exit', () => {
  if (failed) process.exitCode = 1;
});

const steps = readTour();
await import('../src/main.js'); // starts the server (and the embedded Postgres), as `npm start` does
await waitForReady(`${base}/readyz`);

console.log(`Loading the guided tour (${steps.length} steps of docs/tour.md) into ${env.DATABASE_URL ? 'DATABASE_URL' : env.IAM_DATA_DIR} ...`);
const values: Record<string, string> = { operatorToken: env.IAM_OPERATOR_TOKEN };
const send = httpSender(`${base}/graphql`);
for (const step of steps) {
  const { failures } = await runStep(step, values, send);
  if (failures.length > 0) {
    failed = true;
    console.error(`Step "${step.title}" failed:\n  ${failures.join('\n  ')}`);
    if (step === steps[0]) console.error('Is the tour already loaded in this database? Use a fresh IAM_DATA_DIR (or leave it unset).');
    process.kill(process.pid, 'SIGTERM');
    await new Promise(() => {});
  }
}

const variablesOf = (operation: string): Record<string, any> => {
  const step = steps.find((s: TourStep) => new RegExp(`\\b${operation}\\(`).test(s.query));
  return step ? (JSON.parse(step.variables) as { input: Record<string, any> }).input : {};
};
const account = variablesOf('createAccount');
const alicePassword = variablesOf('changePassword').newPassword as string;
console.log(`
open-iam demo is ready: ${base}/graphql  (open it in a browser for the playground)

  Operator token:  ${env.IAM_OPERATOR_TOKEN}
  Account:         ${values.accountId} (${account.accountName})
  Root user:       ${account.email} / ${account.password}
  IAM user:        account ${values.accountId}, user alice / ${alicePassword}
  alice's key:     ${values.accessKeyId} / ${values.secretAccessKey}

Loaded: alice in Developers (AmazonS3ReadOnlyAccess), the ExampleBucketReadWrite policy,
AppServerRole in AppServerProfile, AuditorRole (alice may assume it), and an audit trail.
Follow docs/tour.md for what each step did. Ctrl-C stops the server.
`);

async function waitForReady(url: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`The server did not become ready at ${url}.`);
}
