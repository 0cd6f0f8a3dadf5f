// Whose credentials a call tried, when the call is itself the credential check (a console
// sign-in, GetSessionToken with an access key): its caller is anonymous, so its event takes
// its account and userIdentity from here. The identity travels on the call's result or error.
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html

/** CloudTrail's userIdentity of the credentials a call tried. */
export interface TriedIdentity {
  type: 'Root' | 'IAMUser' | 'WebIdentityUser' | 'SAMLUser';
  accountId: string;
  principalId?: string;
  arn?: string;
  userName?: string;
  /** The access key tried (its id; never its secret). */
  accessKeyId?: string;
  /** A web identity's provider (its URL without the scheme), a SAML user's name qualifier. */
  identityProvider?: string;
}

/** Results and errors, by object: nothing else of them is touched, and they are forgotten with them. */
const tried = new WeakMap<object, TriedIdentity>();

/** Records on `resultOrError` whose credentials were tried; a value that is not an object carries nothing. */
export function markTriedIdentity(resultOrError: unknown, identity: TriedIdentity | undefined): void {
  if (identity && resultOrError !== null && typeof resultOrError === 'object') tried.set(resultOrError, identity);
}

/** Whose credentials a call tried, read from its result or from the error it failed with. */
export function triedIdentityOf(resultOrError: unknown): TriedIdentity | undefined {
  return resultOrError !== null && typeof resultOrError === 'object' ? tried.get(resultOrError) : undefined;
}
