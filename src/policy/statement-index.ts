// The statements of a principal's policy set, indexed across the whole set by the
// actions they can match, so that a request looks only at statements that name its
// action: exact action names in one map, action-name prefixes per service, and the
// few statements that can match any service (NotAction, a wildcard in the service
// prefix) checked for every action. Each action's list of candidates is kept (a
// bounded map), so a server's repeated actions cost one lookup.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html

import type { CompiledStatement } from './compile.js';
import { compileGlob, hasWildcard, type Matcher } from './match.js';
import type { PolicySource } from './types.js';

/** A statement of the set with where it came from; also the hit `decide` reads for identity-side statements. */
export interface IndexedStatement {
  readonly compiled: CompiledStatement;
  readonly source: PolicySource;
  readonly policyIndex: number;
  readonly policyId: string | undefined;
  readonly grant: undefined;
}

/** One policy of the set, as the index reads it. */
export interface IndexedPolicy {
  readonly statements: readonly CompiledStatement[];
  readonly source: PolicySource;
  readonly policyIndex: number;
  readonly policyId: string | undefined;
}

/** A statement reached through a pattern that needs a check beyond the index key (`undefined`: none). */
interface Reach {
  readonly id: number;
  readonly check: Matcher | undefined;
}

/** The patterns of one service with a wildcard in the action name, by the literal text before it. */
interface ServicePrefixes {
  /** Distinct literal prefixes (lower-cased), each with the statements it reaches. */
  readonly prefixes: string[];
  readonly reaches: Reach[][];
}

/** How many actions' candidate lists a set keeps; the map is emptied when full. */
export const CANDIDATE_CACHE_LIMIT = 512;

const EMPTY: readonly IndexedStatement[] = Object.freeze([]);

/**
 * The index. INVARIANT: `candidates(a)` holds exactly the statements whose
 * Action / NotAction matches the lower-cased action `a`, each once, in the order of
 * the set (policies in the order given, statements in document order).
 */
export class StatementIndex {
  private readonly statements: IndexedStatement[] = [];
  private readonly exact = new Map<string, number[]>();
  private readonly byService = new Map<string, ServicePrefixes>();
  /** Statements that may match an action of any service: checked against every action. */
  private readonly anyService: Reach[] = [];
  private readonly cache = new Map<string, readonly IndexedStatement[]>();

  constructor(policies: readonly IndexedPolicy[]) {
    for (const policy of policies) {
      for (const compiled of policy.statements) {
        const id = this.statements.length;
        this.statements.push(Object.freeze({ compiled, source: policy.source, policyIndex: policy.policyIndex, policyId: policy.policyId, grant: undefined }));
        this.add(id, compiled);
      }
    }
  }

  /** How many statements the set holds. */
  get size(): number {
    return this.statements.length;
  }

  private add(id: number, compiled: CompiledStatement): void {
    const { action, notAction } = compiled.statement;
    if (notAction) {
      // NotAction matches every action but the listed ones, of every service.
      this.anyService.push({ id, check: compiled.matchAction });
      return;
    }
    // A statement with neither Action nor NotAction matches no action.
    for (const pattern of action ?? []) this.addPattern(id, pattern.toLowerCase());
  }

  private addPattern(id: number, pattern: string): void {
    const colon = pattern.indexOf(':');
    const service = colon === -1 ? '' : pattern.slice(0, colon);
    if (colon === -1 || hasWildcard(service)) {
      this.anyService.push({ id, check: pattern === '*' ? undefined : compileGlob(pattern) });
      return;
    }
    const name = pattern.slice(colon + 1);
    if (!hasWildcard(name)) {
      let ids = this.exact.get(pattern);
      if (!ids) this.exact.set(pattern, (ids = []));
      ids.push(id);
      return;
    }
    const prefix = name.slice(0, name.search(/[*?]/));
    // `prefix*` needs no check beyond the prefix; other globs are compiled once here.
    const check = name === `${prefix}*` ? undefined : compileGlob(pattern);
    let table = this.byService.get(service);
    if (!table) this.byService.set(service, (table = { prefixes: [], reaches: [] }));
    let at = table.prefixes.indexOf(prefix);
    if (at === -1) {
      at = table.prefixes.push(prefix) - 1;
      table.reaches.push([]);
    }
    table.reaches[at]!.push({ id, check });
  }

  /** The statements whose Action / NotAction matches `lowerAction` (`service:action`, lower-cased). */
  candidates(lowerAction: string): readonly IndexedStatement[] {
    let found = this.cache.get(lowerAction);
    if (found === undefined) {
      found = this.lookUp(lowerAction);
      if (this.cache.size >= CANDIDATE_CACHE_LIMIT) this.cache.clear();
      this.cache.set(lowerAction, found);
    }
    return found;
  }

  private lookUp(action: string): readonly IndexedStatement[] {
    const ids = new Set<number>(this.exact.get(action));
    const colon = action.indexOf(':');
    const table = colon === -1 ? undefined : this.byService.get(action.slice(0, colon));
    if (table) {
      const name = action.slice(colon + 1);
      for (let i = 0; i < table.prefixes.length; i++) {
        if (name.startsWith(table.prefixes[i]!)) for (const reach of table.reaches[i]!) addIfMatches(ids, reach, action);
      }
    }
    for (const reach of this.anyService) addIfMatches(ids, reach, action);
    if (ids.size === 0) return EMPTY;
    return Object.freeze([...ids].sort((a, b) => a - b).map((id) => this.statements[id]!));
  }
}

function addIfMatches(ids: Set<number>, reach: Reach, action: string): void {
  if (!ids.has(reach.id) && (reach.check === undefined || reach.check(action))) ids.add(reach.id);
}
