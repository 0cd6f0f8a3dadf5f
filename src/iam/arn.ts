// ARNs of IAM and STS entities, built and read the way AWS writes them.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns

export type IamResourceType = 'user' | 'group' | 'role' | 'policy' | 'instance-profile' | 'mfa';

/** `arn:aws:iam::<account>:<type><path><name>`, e.g. `arn:aws:iam::123456789012:user/division_abc/Bob`. */
export function iamArn(accountId: string, type: IamResourceType, path: string, name: string): string {
  return `arn:aws:iam::${accountId}:${type}${path}${name}`;
}

/** The root user's ARN. */
export function rootArn(accountId: string): string {
  return `arn:aws:iam::${accountId}:root`;
}

/** An assumed-role session's ARN: `arn:aws:sts::<account>:assumed-role/<role>/<session>`. */
export function assumedRoleArn(accountId: string, roleName: string, sessionName: string): string {
  return `arn:aws:sts::${accountId}:assumed-role/${roleName}/${sessionName}`;
}

/** A federated user's ARN (GetFederationToken): `arn:aws:sts::<account>:federated-user/<name>`. */
export function federatedUserArn(accountId: string, name: string): string {
  return `arn:aws:sts::${accountId}:federated-user/${name}`;
}

export interface ParsedArn {
  partition: string;
  service: string;
  region: string;
  account: string;
  resource: string;
}

/** Splits an ARN into its six parts; undefined when it is not an ARN. */
export function parseArn(arn: string): ParsedArn | undefined {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  return {
    partition: parts[1]!,
    service: parts[2]!,
    region: parts[3]!,
    account: parts[4]!,
    resource: parts.slice(5).join(':'),
  };
}

export interface ParsedIamArn {
  account: string;
  type: IamResourceType;
  path: string;
  name: string;
}

/** Reads an IAM entity ARN (`arn:aws:iam::<account>:<type>/<path/><name>`); `aws` is the account of AWS-managed policies. */
export function parseIamArn(arn: string): ParsedIamArn | undefined {
  const parsed = parseArn(arn);
  if (!parsed || parsed.service !== 'iam' || parsed.region !== '') return undefined;
  const slash = parsed.resource.indexOf('/');
  if (slash < 0) return undefined;
  const type = parsed.resource.slice(0, slash) as IamResourceType;
  if (!['user', 'group', 'role', 'policy', 'instance-profile', 'mfa'].includes(type)) return undefined;
  const rest = parsed.resource.slice(slash);
  const last = rest.lastIndexOf('/');
  const name = rest.slice(last + 1);
  if (name === '') return undefined;
  return { account: parsed.account, type, path: rest.slice(0, last + 1), name };
}
