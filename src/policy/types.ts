// The policy engine's data model: a parsed, normalised policy document and the
// request/decision shapes of `evaluate`. Shared by every phase (parse, validate,
// evaluate, decide); nothing here reads the clock, the network or a database.

/** Where a policy is used; decides its size quota and which elements it may carry. */
export type PolicyType = 'managed' | 'user' | 'group' | 'role' | 'trust' | 'resource' | 'session';

export type Effect = 'Allow' | 'Deny';

/** The `Version` element; `undefined` when the document has none (AWS then applies 2008-10-17 rules). */
export type PolicyVersion = '2012-10-17' | '2008-10-17' | undefined;

/**
 * A Principal or NotPrincipal element, normalised: `'*'` for the bare wildcard,
 * otherwise each principal kind with its values always as an array.
 */
export type PrincipalElement =
  | '*'
  | {
      AWS?: string[];
      Service?: string[];
      Federated?: string[];
      CanonicalUser?: string[];
    };

/**
 * One `operator: { key: values }` pair of a Condition block. `operator` is kept
 * exactly as written (for example `ForAnyValue:StringLikeIfExists`); values are
 * normalised to strings (`true` → `"true"`, `42` → `"42"`).
 */
export interface ConditionEntry {
  operator: string;
  key: string;
  values: string[];
}

/** One statement, normalised: every string-or-array element is an array. */
export interface Statement {
  /** Position in the document's Statement list (0-based). */
  index: number;
  sid?: string;
  effect: Effect;
  principal?: PrincipalElement;
  notPrincipal?: PrincipalElement;
  action?: string[];
  notAction?: string[];
  resource?: string[];
  notResource?: string[];
  condition: ConditionEntry[];
}

/** A parsed policy document. Produced only by `parsePolicy`; treat as immutable. */
export interface PolicyDocument {
  version: PolicyVersion;
  /** The document's own `Id` element, if any. */
  id?: string;
  /** A caller-supplied label (for example a policy ARN) reported in matched statements. */
  policyId?: string;
  policyType: PolicyType;
  statements: Statement[];
}

/** Which policy set a statement that decided a request came from. */
export type PolicySource = 'identity' | 'permissionsBoundary' | 'session' | 'resource';

/** A statement that took part in a decision. */
export interface MatchedStatement {
  source: PolicySource;
  /** Index of the policy in its input list (0 for the single boundary/session/resource policy). */
  policyIndex: number;
  /** `policyId` label, else the document's `Id`, if any. */
  policyId?: string;
  sid?: string;
  statementIndex: number;
  effect: Effect;
}

export type Decision = 'allowed' | 'explicitDeny' | 'implicitDeny';

/** Request context: condition keys (case-insensitive names) to their values. */
export type RequestContext = Record<string, string | string[]>;

/** What `evaluate` decides: one request, a plain value. */
export interface RequestFacts {
  /** User, assumed-role session, federated user, or a service principal name. */
  principalArn: string;
  /** `service:Action`, for example `s3:GetObject`. */
  action: string;
  /** Resource ARN, or `*` for actions without resource-level permissions. */
  resourceArn: string;
  /** Exactly the request context; nothing is derived from `principalArn`. */
  context?: RequestContext;
  /** The account owning the resource; another account than the principal's makes the request cross-account. */
  resourceOwnerAccount?: string | null;
}

/** The policies `compilePolicySet` compiles for a principal: JSON text or parsed documents. */
export interface PolicySetInput {
  identityPolicies?: Array<string | PolicyDocument>;
  permissionsBoundary?: string | PolicyDocument | null;
  sessionPolicy?: string | PolicyDocument | null;
  /** Resource-based policy; for `sts:AssumeRole`, the role's trust policy. */
  resourcePolicy?: string | PolicyDocument | null;
}

export interface EvaluationResult {
  decision: Decision;
  matchedStatements: MatchedStatement[];
  /** Condition keys a statement needed that the context did not carry. */
  missingContextValues: string[];
}

export type FindingType = 'ERROR' | 'SECURITY_WARNING' | 'WARNING' | 'SUGGESTION';

/** A finding of `validatePolicy`, shaped like IAM Access Analyzer's ValidatePolicy. */
export interface Finding {
  findingType: FindingType;
  /** Access Analyzer's issue code, for example `INVALID_ACTION` or `PASS_ROLE_WITH_STAR_IN_RESOURCE`. */
  issueCode: string;
  findingDetails: string;
  /** JSON path of the offending element, for example `['Statement', 0, 'Action', 1]`. */
  locations: Array<Array<string | number>>;
  /**
   * For a document that does not parse: the offset in the text where the parser
   * found the problem (where JSON stopped making sense, an unknown element's name).
   */
  offset?: number;
}
