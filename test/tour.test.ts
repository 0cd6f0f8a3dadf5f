// Executes docs/tour.md, step by step and in order, against a real server: every
// operation must succeed and every `expect` marker must hold, so the guided tour
// cannot drift from the code.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LookupEventNamesDocument } from './generated/graphql.js';
import { OPERATOR_TOKEN, startTestServer, type TestServer } from './support/server.js';
import { httpSender, parseTour, readTour, runStep, type TourSend } from './support/tour.js';

const steps = readTour();
let server: TestServer;
let send: TourSend;
const values: Record<string, string> = { operatorToken: OPERATOR_TOKEN };

beforeAll(async () => {
  server = await startTestServer();
  const http = httpSender(server.url);
  // The audit trail is written in the background; flush it before reading it.
  send = async (query, variables, token) => {
    if (/\blookupEvents\b/.test(query)) await server.service.deps.audit.flush();
    return http(query, variables, token);
  };
});
afterAll(async () => {
  await server?.close();
});

describe('docs/tour.md', () => {
  it('has the steps the tour promises, each with its AWS CLI equivalent', () => {
    const operations = steps.map((s) => /\{\s*(\w+)/.exec(s.query)?.[1]);
    expect(operations).toEqual(
      expect.arrayContaining([
        'createAccount', 'signIn', 'createUser', 'createLoginProfile', 'attachUserPolicy', 'createGroup', 'addUserToGroup',
        'attachGroupPolicy', 'listAttachedGroupPolicies', 'createPolicy', 'createRole', 'attachRolePolicy', 'createInstanceProfile',
        'addRoleToInstanceProfile', 'createAccessKey', 'changePassword', 'isAuthorized', 'assumeRole', 'getCallerIdentity', 'lookupEvents',
        'createOpenIDConnectProvider',
      ]),
    );
    for (const step of steps) expect(step.cli, step.title).toMatch(/^(aws |AWS_|# )/m);
    expect(new Set(steps.map((s) => s.as))).toEqual(new Set(['operator', 'anonymous', 'root', 'aliceFirstSession', 'alice', 'aliceAssumed']));
  });

  it('rejects a step without a token marker or an AWS CLI equivalent', () => {
    expect(() => parseTour('## x\n```sh\naws iam list-users\n```\n```graphql\n{ a }\n```\n')).toThrow(/as:/);
    expect(() => parseTour('## x\n<!-- as: root -->\n```graphql\n{ a }\n```\n')).toThrow(/sh block/);
  });

  for (const step of steps) {
    it(`step ${step.title}`, async () => {
      const { failures } = await runStep(step, values, send);
      expect(failures).toEqual([]);
    });
  }

  it('the audit trail lists what alice did', async () => {
    await server.service.deps.audit.flush();
    const data = await server.ok(LookupEventNamesDocument, { input: { userName: 'alice' }, first: 100 }, values.root);
    const names = data.lookupEvents.nodes.map((e) => e.eventName);
    expect(names).toEqual(expect.arrayContaining(['ChangePassword', 'AssumeRole', 'GetCallerIdentity']));
  });
});
