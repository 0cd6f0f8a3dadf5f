// Input rules of the IAM API: names, paths, descriptions, tags and durations,
// with AWS's constraint messages. Each rule names the API parameter it guards.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateUser.html (and siblings)
import { ValidationError } from '../errors.js';

const NAME_PATTERN = /^[\w+=,.@-]+$/;
const PATH_PATTERN = /^(\/|\/[\u0021-\u007E]+\/)$/;
const PATH_PREFIX_PATTERN = /^\/[\u0021-\u007E]*$/;
const TAG_KEY_PATTERN = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$/u;
const TAG_VALUE_PATTERN = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

function fail(value: unknown, member: string, constraint: string): never {
  throw new ValidationError(
    `1 validation error detected: Value '${String(value)}' at '${member}' failed to satisfy constraint: ${constraint}`,
  );
}

/** Checks a string's length and, optionally, its pattern; `member` is the parameter name. */
export function checkString(value: string, member: string, min: number, max: number, pattern?: RegExp, patternText?: string): string {
  if (value.length < min) fail(value, member, `Member must have length greater than or equal to ${min}`);
  if (value.length > max) fail(value, member, `Member must have length less than or equal to ${max}`);
  if (pattern && !pattern.test(value)) fail(value, member, `Member must satisfy regular expression pattern: ${patternText ?? pattern.source}`);
  return value;
}

/** Entity name limits by API parameter. */
export const nameLimits = Object.freeze({
  userName: 64,
  groupName: 128,
  roleName: 64,
  policyName: 128,
  instanceProfileName: 128,
  virtualMFADeviceName: 226,
});

/** A user, group, role, policy or instance profile name: `[\w+=,.@-]+` of bounded length. */
export function checkName(value: string, member: keyof typeof nameLimits): string {
  return checkString(value, member, 1, nameLimits[member], NAME_PATTERN, '[\\w+=,.@-]+');
}

/** A path: `/` or `/a/b/`, printable ASCII, at most 512 characters. Defaults to `/`. */
export function checkPath(value: string | null | undefined, member = 'path'): string {
  if (value === undefined || value === null) return '/';
  return checkString(value, member, 1, 512, PATH_PATTERN, '(\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)');
}

/** A path prefix filter of List* calls. */
export function checkPathPrefix(value: string | null | undefined): string {
  if (value === undefined || value === null) return '/';
  return checkString(value, 'pathPrefix', 1, 512, PATH_PREFIX_PATTERN, '\\u002F[\\u0021-\\u007E]*');
}

/** A description of a role or policy (at most 1,000 characters). */
export function checkDescription(value: string | null | undefined): string | undefined {
  if (value === undefined || value === null) return undefined;
  return checkString(value, 'description', 0, 1000, /^[\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]*$/u, '[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u00A1-\\u00FF]*');
}

export interface TagInput {
  key: string;
  value: string;
}

/** At most 50 tags per resource. https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html */
export const MAX_TAGS = 50;

/** Validates tag keys and values; duplicate keys (case-insensitive) are an InvalidInput in AWS. */
export function checkTags(tags: TagInput[] | null | undefined): TagInput[] {
  const list = tags ?? [];
  if (list.length > MAX_TAGS) fail(`[${list.length} tags]`, 'tags', `Member must have length less than or equal to ${MAX_TAGS}`);
  list.forEach((tag, i) => {
    checkString(tag.key, `tags.${i + 1}.member.key`, 1, 128, TAG_KEY_PATTERN, '[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+');
    checkString(tag.value, `tags.${i + 1}.member.value`, 0, 256, TAG_VALUE_PATTERN, '[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*');
  });
  return list;
}

/** Keys of UntagX calls. */
export function checkTagKeys(keys: string[]): string[] {
  if (keys.length > MAX_TAGS) fail(`[${keys.length} keys]`, 'tagKeys', `Member must have length less than or equal to ${MAX_TAGS}`);
  keys.forEach((key, i) => checkString(key, `tagKeys.${i + 1}.member`, 1, 128, TAG_KEY_PATTERN, '[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+'));
  return keys;
}

/** An integer parameter within bounds, e.g. MaxSessionDuration 3,600 to 43,200. */
export function checkRange(value: number, member: string, min: number, max: number): number {
  if (!Number.isInteger(value)) fail(value, member, 'Member must be an integer');
  if (value < min) fail(value, member, `Member must have value greater than or equal to ${min}`);
  if (value > max) fail(value, member, `Member must have value less than or equal to ${max}`);
  return value;
}

/** An ARN parameter (20 to 2,048 characters). */
export function checkArn(value: string, member: string): string {
  return checkString(value, member, 20, 2048, /^arn:[^:]*:[^:]*:[^:]*:[^:]*:.+$/, 'arn:...');
}

/**
 * A Prisma `startsWith` filter that matches `prefix` literally. Prisma passes the
 * value into SQL LIKE unescaped, so `_` and `%` (legal in paths) would act as wildcards.
 */
export function literalPrefix(prefix: string): { startsWith: string } {
  return { startsWith: prefix.replace(/[\\%_]/g, (c) => `\\${c}`) };
}

/**
 * Reads an entity of the caller's account by name (case-insensitively), for the
 * find functions: a read-only call passes the request's own reader
 * (src/iam/named-entities.ts), which the guard has already warmed.
 */
export type NamedRead<T> = (name: string) => Promise<T | null>;
