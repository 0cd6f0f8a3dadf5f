// The policy benchmark's workload, built deterministically from a seeded PRNG:
// one principal with 5 identity policies (~40 statements over s3, dynamodb, ec2,
// sqs and a custom `docs:` service) and a request mix of ~50% allowed, ~40%
// implicit deny, ~10% explicit deny. Shared by the engine, baseline and Cedar runs.

/** The IAM JSON shape of one statement, as a policy author writes it. */
export interface StatementJson {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyJson {
  Version: '2012-10-17';
  Statement: StatementJson[];
}

/** One authorization request, as a plain value the three evaluators all read. */
export interface BenchRequest {
  action: string;
  resourceArn: string;
  context: Record<string, string>;
}

export type Expected = 'allowed' | 'implicitDeny' | 'explicitDeny';

export const ACCOUNT = '111122223333';
export const PRINCIPAL_ARN = `arn:aws:iam::${ACCOUNT}:user/alice`;

/** mulberry32: a tiny, fast, seedable PRNG; the same seed always gives the same workload. */
export function createRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

const arn = (service: string, region: string, rest: string): string =>
  `arn:aws:${service}:${region}:${ACCOUNT}:${rest}`;

const S3_DATA = ['arn:aws:s3:::app-data', 'arn:aws:s3:::app-data/*'];

/** The five hand-written policies: 9 + 8 + 8 + 7 + 8 = 40 statements. */
export function createBasePolicies(): PolicyJson[] {
  const s3: StatementJson[] = [
    { Sid: 'ReadAppData', Effect: 'Allow', Action: ['s3:GetObject', 's3:ListBucket'], Resource: S3_DATA },
    { Sid: 'ReadShared', Effect: 'Allow', Action: ['s3:Get*', 's3:List*'], Resource: ['arn:aws:s3:::shared-*', 'arn:aws:s3:::shared-*/*'],
      Condition: { StringEquals: { 'aws:RequestedRegion': ['us-east-1', 'eu-west-1'] } } },
    { Sid: 'UploadByTeam', Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::app-data/uploads/*',
      Condition: { StringLike: { 'aws:PrincipalTag/team': ['pay*', 'platform'] } } },
    { Sid: 'TagObjects', Effect: 'Allow', Action: 's3:*ObjectTagging', Resource: 'arn:aws:s3:::app-data/*' },
    { Sid: 'ReportsRead', Effect: 'Allow', Action: 's3:GetObject*', Resource: 'arn:aws:s3:::app-data/reports/*',
      Condition: { StringEquals: { 'aws:PrincipalTag/team': 'finance' } } },
    { Sid: 'NoDeletes', Effect: 'Deny', Action: 's3:DeleteObject*', Resource: 'arn:aws:s3:::app-data/*' },
    { Sid: 'NoVault', Effect: 'Deny', Action: 's3:*', Resource: 'arn:aws:s3:::secret-vault/*' },
    { Sid: 'BucketPolicyRead', Effect: 'Allow', Action: 's3:GetBucket*', Resource: 'arn:aws:s3:::app-data' },
    { Sid: 'NoPolicyWrites', Effect: 'Deny', Action: 's3:PutBucket*', Resource: 'arn:aws:s3:::*' },
  ];
  const dynamodb: StatementJson[] = [
    { Sid: 'OrdersRead', Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:BatchGetItem'],
      Resource: [arn('dynamodb', '*', 'table/Orders'), arn('dynamodb', '*', 'table/Orders/index/*')] },
    { Sid: 'OrdersWrite', Effect: 'Allow', Action: ['dynamodb:PutItem', 'dynamodb:UpdateItem'], Resource: arn('dynamodb', 'us-east-1', 'table/Orders'),
      Condition: { StringEquals: { 'aws:RequestedRegion': 'us-east-1', 'aws:PrincipalTag/team': ['payments', 'platform'] } } },
    { Sid: 'CustomersRead', Effect: 'Allow', Action: 'dynamodb:Get*', Resource: arn('dynamodb', 'us-east-1', 'table/Customers') },
    { Sid: 'DescribeAny', Effect: 'Allow', Action: 'dynamodb:Describe*', Resource: arn('dynamodb', '*', 'table/*') },
    { Sid: 'ScanByPlatform', Effect: 'Allow', Action: 'dynamodb:Scan', Resource: arn('dynamodb', '*', 'table/*'),
      Condition: { StringLike: { 'aws:PrincipalTag/team': 'plat*' } } },
    { Sid: 'NoTableDeletes', Effect: 'Deny', Action: 'dynamodb:DeleteTable', Resource: '*' },
    { Sid: 'NoAuditWrites', Effect: 'Deny', Action: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'], Resource: arn('dynamodb', '*', 'table/AuditLog') },
    { Sid: 'AuditRead', Effect: 'Allow', Action: 'dynamodb:Query', Resource: arn('dynamodb', '*', 'table/AuditLog'),
      Condition: { StringEquals: { 'aws:requestedregion': 'eu-west-1' } } },
  ];
  const ec2: StatementJson[] = [
    { Sid: 'DescribeAll', Effect: 'Allow', Action: 'ec2:Describe*', Resource: '*' },
    { Sid: 'StartStopDev', Effect: 'Allow', Action: ['ec2:StartInstances', 'ec2:StopInstances'], Resource: arn('ec2', '*', 'instance/*'),
      Condition: { StringEquals: { 'ec2:ResourceTag/env': 'dev' } } },
    { Sid: 'StartStopProdPlatform', Effect: 'Allow', Action: 'ec2:St*Instances', Resource: arn('ec2', 'us-east-1', 'instance/*'),
      Condition: { StringEquals: { 'ec2:ResourceTag/env': 'prod', 'aws:PrincipalTag/team': 'platform' } } },
    { Sid: 'TagInstances', Effect: 'Allow', Action: 'ec2:CreateTags', Resource: arn('ec2', '*', 'instance/*') },
    { Sid: 'NoTerminateProd', Effect: 'Deny', Action: 'ec2:TerminateInstances', Resource: arn('ec2', '*', 'instance/*'),
      Condition: { StringEquals: { 'ec2:ResourceTag/env': 'prod' } } },
    { Sid: 'TerminateDev', Effect: 'Allow', Action: 'ec2:TerminateInstances', Resource: arn('ec2', '*', 'instance/*'),
      Condition: { StringLike: { 'ec2:ResourceTag/env': 'dev*' } } },
    { Sid: 'RunInRegion', Effect: 'Allow', Action: 'ec2:RunInstances', Resource: [arn('ec2', 'eu-west-1', 'instance/*'), arn('ec2', 'eu-west-1', 'volume/*')],
      Condition: { StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } } },
    { Sid: 'NoVolumeDeletes', Effect: 'Deny', Action: 'ec2:DeleteVolume', Resource: arn('ec2', '*', 'volume/*') },
  ];
  const sqs: StatementJson[] = [
    { Sid: 'OrdersQueue', Effect: 'Allow', Action: ['sqs:SendMessage', 'sqs:ReceiveMessage', 'sqs:DeleteMessage'], Resource: arn('sqs', 'us-east-1', 'orders-*') },
    { Sid: 'QueueAttributes', Effect: 'Allow', Action: 'sqs:GetQueue*', Resource: arn('sqs', '*', '*') },
    { Sid: 'BillingSend', Effect: 'Allow', Action: 'sqs:SendMessage', Resource: arn('sqs', 'us-east-1', 'billing-queue'),
      Condition: { StringLike: { 'aws:PrincipalTag/team': ['payments', 'fin*'] } } },
    { Sid: 'NoPurge', Effect: 'Deny', Action: ['sqs:PurgeQueue', 'sqs:DeleteQueue'], Resource: arn('sqs', '*', '*') },
    { Sid: 'DlqRedrive', Effect: 'Allow', Action: 'sqs:*Message*', Resource: arn('sqs', 'us-east-1', 'orders-dlq'),
      Condition: { StringEquals: { 'aws:PrincipalTag/team': 'platform' } } },
    { Sid: 'ListQueues', Effect: 'Allow', Action: 'sqs:ListQueues', Resource: '*' },
    { Sid: 'EuQueues', Effect: 'Allow', Action: 'sqs:ReceiveMessage', Resource: arn('sqs', 'eu-west-1', '*'),
      Condition: { StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } } },
  ];
  const docs: StatementJson[] = [
    { Sid: 'ReadPublic', Effect: 'Allow', Action: ['docs:GetDocument', 'docs:ListDocuments'], Resource: arn('docs', '*', 'document/public/*') },
    { Sid: 'ReadInternal', Effect: 'Allow', Action: 'docs:Get*', Resource: arn('docs', '*', 'document/*'),
      Condition: { StringEquals: { 'docs:Classification': ['public', 'internal'] } } },
    { Sid: 'WriteOwnTeam', Effect: 'Allow', Action: ['docs:PutDocument', 'docs:ShareDocument'], Resource: arn('docs', 'us-east-1', 'document/eng/*'),
      Condition: { StringLike: { 'aws:PrincipalTag/team': 'platform' } } },
    { Sid: 'ListFolders', Effect: 'Allow', Action: 'docs:List*', Resource: arn('docs', '*', 'folder/*') },
    { Sid: 'NoSecretShare', Effect: 'Deny', Action: ['docs:ShareDocument', 'docs:PublishDocument'], Resource: arn('docs', '*', 'document/*'),
      Condition: { StringEquals: { 'docs:Classification': 'secret' } } },
    { Sid: 'NoHr', Effect: 'Deny', Action: 'docs:*', Resource: arn('docs', '*', 'document/hr/*') },
    { Sid: 'PublishPublic', Effect: 'Allow', Action: 'docs:Publish*', Resource: arn('docs', '*', 'document/public/*'),
      Condition: { StringLike: { 'docs:Classification': 'pub*' } } },
    { Sid: 'FinanceRead', Effect: 'Allow', Action: 'docs:GetDocument', Resource: arn('docs', 'us-east-1', 'document/finance/*'),
      Condition: { StringEquals: { 'aws:PrincipalTag/team': 'finance' } } },
  ];
  return [s3, dynamodb, ec2, sqs, docs].map((statements) => ({ Version: '2012-10-17', Statement: statements }));
}

const FILLER_SERVICES = ['lambda', 'kms', 'sns', 'logs', 'rds', 'kinesis', 'secretsmanager', 'ssm', 'cloudwatch', 'states'] as const;
const FILLER_VERBS = ['Get', 'List', 'Describe', 'Create', 'Delete', 'Update', 'Put', 'Invoke', 'Tag', 'Publish'];
const FILLER_NOUNS = ['Function', 'Key', 'Topic', 'LogGroup', 'DBInstance', 'Stream', 'Secret', 'Parameter', 'Alarm', 'StateMachine'];

/**
 * Statements whose actions are all in services that no request touches; `count`
 * of them are appended round-robin to the five policies for the 10× run.
 */
export function createFillerStatements(random: () => number, count: number): StatementJson[] {
  const out: StatementJson[] = [];
  for (let i = 0; i < count; i++) {
    const service = pick(random, FILLER_SERVICES);
    const actions = Array.from({ length: 1 + Math.floor(random() * 3) }, () => {
      const verb = pick(random, FILLER_VERBS);
      return random() < 0.4 ? `${service}:${verb}*` : `${service}:${verb}${pick(random, FILLER_NOUNS)}`;
    });
    const resource = random() < 0.15 ? '*' : arn(service, pick(random, ['us-east-1', 'eu-west-1', '*']), `res-${i}/${random() < 0.5 ? '*' : `item-${i}`}`);
    const statement: StatementJson = { Sid: `Filler${i}`, Effect: random() < 0.15 ? 'Deny' : 'Allow', Action: actions, Resource: resource };
    if (random() < 0.4) {
      statement.Condition = random() < 0.5
        ? { StringEquals: { 'aws:RequestedRegion': pick(random, ['us-east-1', 'eu-west-1']) } }
        : { StringLike: { 'aws:PrincipalTag/team': `${pick(random, ['pay', 'plat', 'fin'])}*` } };
    }
    out.push(statement);
  }
  return out;
}

/** IAM's managed-policy size quota (characters, not counting white space) that the engine enforces on parse. */
export const MANAGED_POLICY_QUOTA = 6144;

/**
 * The base policies followed by extra policies holding the filler statements, each
 * packed under the managed-policy size quota: ten times 40 statements do not fit in
 * five managed policies, so the 10× principal has more (smaller) policies attached.
 */
export function withFiller(policies: PolicyJson[], filler: StatementJson[]): PolicyJson[] {
  const extra: PolicyJson[] = [];
  let current: PolicyJson | undefined;
  for (const statement of filler) {
    const candidate: PolicyJson = { Version: '2012-10-17', Statement: [...(current?.Statement ?? []), statement] };
    if (current && JSON.stringify(candidate).length > MANAGED_POLICY_QUOTA - 200) {
      extra.push(current);
      current = { Version: '2012-10-17', Statement: [statement] };
    } else {
      current = candidate;
    }
  }
  if (current) extra.push(current);
  return [...policies, ...extra];
}

const REQUEST_SPACE: Record<string, { actions: string[]; resources: string[] }> = {
  s3: {
    actions: ['GetObject', 'PutObject', 'DeleteObject', 'DeleteObjectVersion', 'ListBucket', 'GetObjectTagging', 'PutObjectTagging', 'GetBucketPolicy', 'PutBucketPolicy', 'RestoreObject'],
    resources: ['arn:aws:s3:::app-data', 'arn:aws:s3:::app-data/uploads/batch-7.csv', 'arn:aws:s3:::app-data/reports/2026/q1.pdf', 'arn:aws:s3:::shared-assets',
      'arn:aws:s3:::shared-assets/img/logo.png', 'arn:aws:s3:::secret-vault/keys.txt', 'arn:aws:s3:::other-bucket/readme.md'],
  },
  dynamodb: {
    actions: ['GetItem', 'PutItem', 'Query', 'Scan', 'DeleteItem', 'UpdateItem', 'BatchGetItem', 'DeleteTable', 'DescribeTable', 'CreateBackup'],
    resources: [arn('dynamodb', 'us-east-1', 'table/Orders'), arn('dynamodb', 'us-east-1', 'table/Orders/index/ByCustomer'), arn('dynamodb', 'eu-west-1', 'table/Orders'),
      arn('dynamodb', 'us-east-1', 'table/Customers'), arn('dynamodb', 'us-east-1', 'table/AuditLog'), arn('dynamodb', 'eu-west-1', 'table/Inventory')],
  },
  ec2: {
    actions: ['DescribeInstances', 'StartInstances', 'StopInstances', 'TerminateInstances', 'RunInstances', 'CreateTags', 'DeleteVolume', 'AttachVolume'],
    resources: [arn('ec2', 'us-east-1', 'instance/i-0a1b2c3d4e5f60001'), arn('ec2', 'eu-west-1', 'instance/i-0a1b2c3d4e5f60002'),
      arn('ec2', 'eu-west-1', 'volume/vol-0c0ffee000000001'), arn('ec2', 'us-east-1', 'security-group/sg-0123')],
  },
  sqs: {
    actions: ['SendMessage', 'ReceiveMessage', 'DeleteMessage', 'GetQueueAttributes', 'GetQueueUrl', 'PurgeQueue', 'DeleteQueue', 'SetQueueAttributes', 'ChangeMessageVisibility'],
    resources: [arn('sqs', 'us-east-1', 'orders-queue'), arn('sqs', 'us-east-1', 'orders-dlq'), arn('sqs', 'us-east-1', 'billing-queue'), arn('sqs', 'eu-west-1', 'events')],
  },
  docs: {
    actions: ['GetDocument', 'ListDocuments', 'PutDocument', 'DeleteDocument', 'ShareDocument', 'PublishDocument', 'GetDocumentVersion', 'ArchiveDocument'],
    resources: [arn('docs', 'us-east-1', 'document/public/handbook'), arn('docs', 'us-east-1', 'document/finance/budget-2026'), arn('docs', 'eu-west-1', 'document/hr/salaries'),
      arn('docs', 'us-east-1', 'document/eng/design-42'), arn('docs', 'us-east-1', 'folder/eng')],
  },
};
const SERVICE_WEIGHTS: Array<[string, number]> = [['s3', 0.3], ['dynamodb', 0.2], ['ec2', 0.15], ['sqs', 0.15], ['docs', 0.2]];

function pickService(random: () => number): string {
  let r = random();
  for (const [service, weight] of SERVICE_WEIGHTS) if ((r -= weight) < 0) return service;
  return 'docs';
}

/** A random request over the five services; each context key is present with probability 0.8. */
export function createCandidateRequest(random: () => number): BenchRequest {
  const service = pickService(random);
  const space = REQUEST_SPACE[service]!;
  const action = `${service}:${pick(random, space.actions)}`;
  const resourceArn = action === 'ec2:DescribeInstances' ? '*' : pick(random, space.resources);
  const context: Record<string, string> = {};
  const maybe = (key: string, values: string[]): void => { if (random() < 0.8) context[key] = pick(random, values); };
  maybe('aws:RequestedRegion', ['us-east-1', 'eu-west-1', 'ap-south-1']);
  maybe('aws:PrincipalTag/team', ['payments', 'platform', 'finance', 'docs']);
  if (service === 'ec2') maybe('ec2:ResourceTag/env', ['dev', 'prod', 'development']);
  if (service === 'docs') maybe('docs:Classification', ['public', 'internal', 'secret']);
  return { action, resourceArn, context };
}

/** Target share of each decision in the request mix. */
export const DECISION_MIX: Record<Expected, number> = { allowed: 0.5, implicitDeny: 0.4, explicitDeny: 0.1 };

/**
 * Draws candidate requests until each decision bucket (classified by `classify`,
 * the baseline evaluator) holds its share of `size`, then shuffles them. The mix
 * is then re-counted on every evaluator, so the baseline is not trusted blindly.
 */
export function createRequestMix(random: () => number, size: number, classify: (r: BenchRequest) => Expected): BenchRequest[] {
  const buckets: Record<Expected, BenchRequest[]> = { allowed: [], implicitDeny: [], explicitDeny: [] };
  const allowed = Math.round(size * DECISION_MIX.allowed);
  const implicitDeny = Math.round(size * DECISION_MIX.implicitDeny);
  const quota: Record<Expected, number> = { allowed, implicitDeny, explicitDeny: size - allowed - implicitDeny };
  let filled = 0;
  for (let tries = 0; filled < size; tries++) {
    if (tries > size * 1000) throw new Error('createRequestMix: could not fill the decision buckets');
    const request = createCandidateRequest(random);
    const decision = classify(request);
    if (buckets[decision].length < quota[decision]) { buckets[decision].push(request); filled++; }
  }
  const all = [...buckets.allowed, ...buckets.implicitDeny, ...buckets.explicitDeny];
  for (let i = all.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [all[i], all[j]] = [all[j]!, all[i]!];
  }
  return all;
}
