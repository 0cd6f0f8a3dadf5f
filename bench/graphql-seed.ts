// The GraphQL benchmark's data, made through the API: an account, 25 users, and
// a user "bench" with 5 attached customer managed policies, signed in.

export interface Fixture {
  accountId: string;
  rootToken: string;
  userToken: string;
  /** An access key of the user "bench", for the AWS Query-protocol cases. */
  userKey: { accessKeyId: string; secretAccessKey: string };
}

/** The console password of the root user and of "bench". */
export const PASSWORD = 'Load-Test-Passw0rd!9';

/** The five policies: one grants what the benchmark calls, four are realistic noise. */
const POLICIES: object[] = [
  { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['iam:ListUsers', 'iam:GetUser'], Resource: '*' }] },
  { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:GetObject', 's3:ListBucket'], Resource: ['arn:aws:s3:::bench-*', 'arn:aws:s3:::bench-*/*'] }] },
  { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'iam:Delete*', Resource: '*', Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'false' } } }] },
  { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:*AccessKey*', Resource: 'arn:aws:iam::*:user/${aws:username}' }] },
  { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:Query'], Resource: '*', Condition: { StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } } }] },
];

export async function seed(url: string, operatorToken: string): Promise<Fixture> {
  const call = async (query: string, variables: Record<string, unknown>, token?: string) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: any; errors?: unknown[] };
    if (body.errors?.length) throw new Error(`seed: ${JSON.stringify(body.errors)}`);
    return body.data;
  };
  const email = 'root@bench.example';
  const { createAccount } = await call('mutation($i: CreateAccountInput!) { createAccount(input: $i) { accountId } }', { i: { accountName: 'Bench', email, password: PASSWORD } }, operatorToken);
  const accountId = createAccount.accountId as string;
  const rootToken = (await call('mutation($i: SignInInput!) { signIn(input: $i) { sessionToken } }', { i: { email, password: PASSWORD } })).signIn.sessionToken as string;
  for (let i = 0; i < 25; i++) {
    await call('mutation($i: CreateUserInput!) { createUser(input: $i) { user { arn } } }', { i: { userName: `user-${String(i).padStart(2, '0')}` } }, rootToken);
  }
  await call('mutation($i: CreateUserInput!) { createUser(input: $i) { user { arn } } }', { i: { userName: 'bench' } }, rootToken);
  await call('mutation($i: CreateLoginProfileInput!) { createLoginProfile(input: $i) { loginProfile { userName } } }', { i: { userName: 'bench', password: PASSWORD } }, rootToken);
  for (const [index, document] of POLICIES.entries()) {
    const created = await call(
      'mutation($i: CreatePolicyInput!) { createPolicy(input: $i) { policy { arn } } }',
      { i: { policyName: `bench-${index}`, policyDocument: JSON.stringify(document) } },
      rootToken,
    );
    await call('mutation($i: AttachUserPolicyInput!) { attachUserPolicy(input: $i) }', { i: { userName: 'bench', policyArn: created.createPolicy.policy.arn } }, rootToken);
  }
  const userToken = (await call('mutation($i: SignInInput!) { signIn(input: $i) { sessionToken } }', { i: { accountId, userName: 'bench', password: PASSWORD } })).signIn.sessionToken as string;
  const key = (await call('mutation { createAccessKey(input: { userName: "bench" }) { accessKey { accessKeyId secretAccessKey } } }', {}, rootToken)).createAccessKey.accessKey;
  return { accountId, rootToken, userToken, userKey: { accessKeyId: key.accessKeyId as string, secretAccessKey: key.secretAccessKey as string } };
}
