// Request limits Apollo does not set by itself: query depth, aliases and
// complexity (validation rules, so a refused query never reaches a resolver or
// the database), plus the parser's token cap. Body size and batching are refused
// in src/http.ts before parsing.
import {
  GraphQLError,
  Kind,
  type ASTVisitor,
  type FieldNode,
  type FragmentDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
} from 'graphql';

/** The limits, listed in the README. */
export const requestLimits = Object.freeze({
  /** Deepest selection nesting. */
  maxDepth: 12,
  /**
   * Deepest nesting inside `__schema` / `__type`: GraphiQL's standard introspection
   * query nests `ofType` about 15 deep; recursive `fields { type { fields ...` beyond is refused.
   */
  maxIntrospectionDepth: 20,
  /** Aliased fields in one operation. */
  maxAliases: 30,
  /** Tokens the parser reads before giving up. */
  maxTokens: 5_000,
  /** Estimated cost: each field costs 1, times the page size (`first`, default 100) of every list above it. */
  maxComplexity: 50_000,
});

function limitError(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'QUERY_LIMIT_EXCEEDED' } });
}

/**
 * Refuses operations nested deeper than `maxDepth`; introspection subtrees
 * (`__schema`, `__type`) have their own, larger limit.
 */
export function depthLimitRule(maxDepth = requestLimits.maxDepth, maxIntrospectionDepth = requestLimits.maxIntrospectionDepth) {
  return (context: ValidationContext): ASTVisitor => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const def of context.getDocument().definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
    let introspectionDepth = 0;
    const depthOf = (set: SelectionSetNode | undefined, seen: Set<string>, inIntrospection: boolean): number => {
      if (!set) return 0;
      let deepest = 0;
      for (const selection of set.selections) {
        if (selection.kind === Kind.FIELD) {
          const starts = !inIntrospection && (selection.name.value === '__schema' || selection.name.value === '__type');
          const depth = selection.selectionSet ? 1 + depthOf(selection.selectionSet, seen, inIntrospection || starts) : 1;
          if (starts) introspectionDepth = Math.max(introspectionDepth, depth);
          else deepest = Math.max(deepest, depth);
        } else if (selection.kind === Kind.INLINE_FRAGMENT) deepest = Math.max(deepest, depthOf(selection.selectionSet, seen, inIntrospection));
        else if (!seen.has(selection.name.value)) {
          const fragment = fragments.get(selection.name.value);
          deepest = Math.max(deepest, depthOf(fragment?.selectionSet, new Set([...seen, selection.name.value]), inIntrospection));
        }
      }
      return deepest;
    };
    return {
      OperationDefinition(node) {
        introspectionDepth = 0;
        const depth = depthOf(node.selectionSet, new Set(), false);
        if (depth > maxDepth) context.reportError(limitError(`Query depth ${depth} exceeds the limit of ${maxDepth}.`));
        if (introspectionDepth > maxIntrospectionDepth) {
          context.reportError(limitError(`Introspection depth ${introspectionDepth} exceeds the limit of ${maxIntrospectionDepth}.`));
        }
      },
    };
  };
}

/** Refuses operations with more than `maxAliases` aliased fields (aliases multiply work per request). */
export function aliasLimitRule(maxAliases = requestLimits.maxAliases) {
  return (context: ValidationContext): ASTVisitor => {
    let aliases = 0;
    let reported = false;
    return {
      Field(node: FieldNode) {
        if (!node.alias) return;
        aliases++;
        if (aliases > maxAliases && !reported) {
          reported = true;
          context.reportError(limitError(`Operation uses more than ${maxAliases} aliases.`));
        }
      },
    };
  };
}

/** Refuses operations whose estimated cost exceeds `maxComplexity`. */
export function complexityLimitRule(maxComplexity = requestLimits.maxComplexity) {
  return (context: ValidationContext): ASTVisitor => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const def of context.getDocument().definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
    const cost = (set: SelectionSetNode | undefined, multiplier: number, seen: Set<string>): number => {
      if (!set) return 0;
      let total = 0;
      for (const selection of set.selections) {
        if (selection.kind === Kind.FIELD) {
          const first = selection.arguments?.find((a) => a.name.value === 'first');
          // A connection (it selects edges or nodes) costs its page size, 100 unless `first` says less.
          const isConnection = selection.selectionSet?.selections.some((s) => s.kind === Kind.FIELD && (s.name.value === 'edges' || s.name.value === 'nodes'));
          const pageSize = first?.value.kind === Kind.INT ? Number(first.value.value) : isConnection ? 100 : 1;
          total += multiplier + cost(selection.selectionSet, multiplier * Math.max(1, pageSize), seen);
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          total += cost(selection.selectionSet, multiplier, seen);
        } else if (!seen.has(selection.name.value)) {
          total += cost(fragments.get(selection.name.value)?.selectionSet, multiplier, new Set([...seen, selection.name.value]));
        }
        if (total > maxComplexity) return total;
      }
      return total;
    };
    return {
      OperationDefinition(node) {
        const total = cost(node.selectionSet, 1, new Set());
        if (total > maxComplexity) context.reportError(limitError(`Query complexity exceeds the limit of ${maxComplexity}.`));
      },
    };
  };
}

/** All request-limit validation rules. */
export const limitRules = [depthLimitRule(), aliasLimitRule(), complexityLimitRule()];
