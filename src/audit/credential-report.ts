// The credential report: one CSV row per IAM user (after the root user's row)
// with the state of its password, MFA and access keys, in AWS's exact columns
// and with AWS's `N/A`, `not_supported` and `no_information` conventions.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_getting-report.html
// Reports are kept in memory, the latest one per account, for the service
// instance that made them (see reportStoreOf): a restart forgets them, and
// several processes behind one database each keep their own, as AWS's
// GetCredentialReport then answers ReportNotPresent and the client generates again.
import type { DbTx } from '../db/client.js';
import { IamError } from '../errors.js';
import { rootArn } from '../iam/arn.js';

/** AWS's columns, in AWS's order. */
export const CREDENTIAL_REPORT_COLUMNS = Object.freeze([
  'user', 'arn', 'user_creation_time',
  'password_enabled', 'password_last_used', 'password_last_changed', 'password_next_rotation',
  'mfa_active',
  'access_key_1_active', 'access_key_1_last_rotated', 'access_key_1_last_used_date', 'access_key_1_last_used_region', 'access_key_1_last_used_service',
  'access_key_2_active', 'access_key_2_last_rotated', 'access_key_2_last_used_date', 'access_key_2_last_used_region', 'access_key_2_last_used_service',
  'cert_1_active', 'cert_1_last_rotated', 'cert_2_active', 'cert_2_last_rotated',
] as const);

/** AWS keeps a report for four hours: GenerateCredentialReport makes a new one only after that. */
export const REPORT_VALIDITY_MS = 4 * 60 * 60 * 1000;

const NOT_APPLICABLE = 'N/A';
const NOT_SUPPORTED = 'not_supported';
const NO_INFORMATION = 'no_information';

export interface CredentialReport {
  /** The CSV text. */
  content: string;
  generatedTime: Date;
}

/** AWS's ReportNotPresent (HTTP 410): GetCredentialReport before any GenerateCredentialReport. */
export class ReportNotPresentError extends IamError {
  constructor() {
    super('ReportNotPresent', 'Credential report not present. Use GenerateCredentialReport to generate a report.', 410);
  }
}

/** AWS's ReportExpired (HTTP 410): the latest report is more than four hours old. */
export class ReportExpiredError extends IamError {
  constructor() {
    super('ReportExpired', 'The credential report has expired. Use GenerateCredentialReport to generate a new report.', 410);
  }
}

/** The account's latest report, whichever process generated it, or null. */
function latestReport(db: DbTx, accountId: string): Promise<CredentialReport | null> {
  return db.credentialReport.findUnique({ where: { accountId }, select: { content: true, generatedTime: true } });
}

/**
 * AWS's GetCredentialReport: the account's latest report, from the database (so
 * whichever process generated it); ReportNotPresent / ReportExpired as AWS answers.
 */
export async function getCredentialReport(db: DbTx, accountId: string, now: Date): Promise<CredentialReport> {
  const report = await latestReport(db, accountId);
  if (!report) throw new ReportNotPresentError();
  if (isExpired(report, now)) throw new ReportExpiredError();
  return report;
}

function isExpired(report: CredentialReport, now: Date): boolean {
  return now.getTime() - report.generatedTime.getTime() > REPORT_VALIDITY_MS;
}

/**
 * AWS's GenerateCredentialReport: keeps a report younger than four hours
 * (COMPLETE), otherwise makes a new one at once (STARTED, with AWS's description;
 * clients that poll until COMPLETE get COMPLETE on their next call).
 */
export async function generateCredentialReport(db: DbTx, accountId: string, now: Date) {
  const latest = await latestReport(db, accountId);
  if (latest && !isExpired(latest, now)) return { state: 'COMPLETE' as const, description: null };
  const report = { content: await buildCredentialReport(db, accountId), generatedTime: now };
  await db.credentialReport.upsert({ where: { accountId }, create: { accountId, ...report }, update: report });
  return { state: 'STARTED' as const, description: 'No report exists. Starting a new report generation task' };
}

/** The CSV text of the account's credential report, as the store is now. */
export async function buildCredentialReport(db: DbTx, accountId: string): Promise<string> {
  const [account, passwordPolicy, users] = await Promise.all([
    db.account.findUniqueOrThrow({ where: { id: accountId }, select: { createdAt: true, rootPasswordLastUsed: true } }),
    db.accountPasswordPolicy.findUnique({ where: { accountId }, select: { maxPasswordAge: true } }),
    db.user.findMany({
      where: { accountId },
      orderBy: { nameKey: 'asc' },
      select: {
        name: true,
        arn: true,
        createdAt: true,
        passwordLastUsed: true,
        loginProfile: { select: { passwordChangedAt: true } },
        accessKeys: { orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], take: 2, select: { status: true, createdAt: true, lastUsedAt: true, lastUsedRegion: true, lastUsedService: true } },
        mfaDevices: { where: { enabledAt: { not: null } }, take: 1, select: { serialNumber: true } },
      },
    }),
  ]);
  const rows: string[][] = [[...CREDENTIAL_REPORT_COLUMNS]];
  // The root user: no password policy applies to it, it has no access keys or MFA here.
  rows.push([
    '<root_account>', rootArn(accountId), timestamp(account.createdAt),
    NOT_SUPPORTED, account.rootPasswordLastUsed ? timestamp(account.rootPasswordLastUsed) : NO_INFORMATION, NOT_SUPPORTED, NOT_SUPPORTED,
    'false',
    ...accessKeyColumns(undefined), ...accessKeyColumns(undefined),
    ...certificateColumns(), ...certificateColumns(),
  ]);
  const maxAgeMs = passwordPolicy?.maxPasswordAge ? passwordPolicy.maxPasswordAge * 86_400_000 : undefined;
  for (const user of users) {
    const password = user.loginProfile;
    rows.push([
      user.name, user.arn, timestamp(user.createdAt),
      String(password !== null),
      // A date survives the deletion of the password; a password never used has no information, no password at all is N/A.
      user.passwordLastUsed ? timestamp(user.passwordLastUsed) : password ? NO_INFORMATION : NOT_APPLICABLE,
      password ? timestamp(password.passwordChangedAt) : NOT_APPLICABLE,
      password && maxAgeMs ? timestamp(new Date(password.passwordChangedAt.getTime() + maxAgeMs)) : NOT_APPLICABLE,
      String(user.mfaDevices.length > 0),
      ...accessKeyColumns(user.accessKeys[0]), ...accessKeyColumns(user.accessKeys[1]),
      ...certificateColumns(), ...certificateColumns(),
    ]);
  }
  return rows.map((row) => row.map(csvField).join(',')).join('\n') + '\n';
}

interface KeyFacts {
  status: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  lastUsedRegion: string | null;
  lastUsedService: string | null;
}

/** active, last_rotated, last_used_date, last_used_region, last_used_service. */
function accessKeyColumns(key: KeyFacts | undefined): string[] {
  if (!key) return ['false', NOT_APPLICABLE, NOT_APPLICABLE, NOT_APPLICABLE, NOT_APPLICABLE];
  return [
    String(key.status === 'Active'),
    timestamp(key.createdAt),
    key.lastUsedAt ? timestamp(key.lastUsedAt) : NOT_APPLICABLE,
    key.lastUsedAt && key.lastUsedRegion ? key.lastUsedRegion : NOT_APPLICABLE,
    key.lastUsedAt && key.lastUsedService ? key.lastUsedService : NOT_APPLICABLE,
  ];
}

/** Signing certificates are not supported here: never active. */
function certificateColumns(): string[] {
  return ['false', NOT_APPLICABLE];
}

/** AWS's form: `2024-05-01T12:34:56+00:00` (seconds, explicit UTC offset). */
function timestamp(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

/** RFC 4180 quoting; IAM names and ARNs never need it, but nothing breaks if one did. */
function csvField(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
