// A validation rule: one operation may select at most one field that checks a
// credential (a password, a secret access key, an MFA code). Without it, GraphQL
// aliases would let one request try a thousand passwords (`a1: signIn(...)
// a2: signIn(...) ...`) as one attempt against the throttle; with it, such a
// document is refused whole, before anything runs, and nothing is counted.
// (HTTP batching of several operations is refused by src/http.ts.)
import { GraphQLError, Kind, type ASTVisitor, type FragmentDefinitionNode, type SelectionSetNode, type ValidationContext } from 'graphql';

/** Root fields that verify a credential. */
export const credentialCheckingFields: ReadonlySet<string> = Object.freeze(
  new Set(['signIn', 'changePassword', 'getSessionToken', 'createAccount', 'enableMFADevice', 'assumeRoleWithWebIdentity']),
);

/** Refuses an operation selecting more than one credential-checking root field (aliases included). */
export function SingleCredentialCheckRule(context: ValidationContext): ASTVisitor {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of context.getDocument().definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  return {
    OperationDefinition(node) {
      const count = countRootChecks(node.selectionSet, fragments, new Set());
      if (count > 1) {
        context.reportError(
          new GraphQLError(
            `An operation may check credentials only once: it selects ${count} of ${[...credentialCheckingFields].join(', ')} (aliases count).`,
            { nodes: node },
          ),
        );
      }
    },
  };
}

function countRootChecks(selectionSet: SelectionSetNode, fragments: Map<string, FragmentDefinitionNode>, visited: Set<string>): number {
  let count = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      if (credentialCheckingFields.has(selection.name.value)) count++;
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      count += countRootChecks(selection.selectionSet, fragments, visited);
    } else {
      const name = selection.name.value;
      const fragment = fragments.get(name);
      // Each spread counts (a fragment spread twice runs its fields once, but
      // counting it twice only ever refuses more); cycles are refused elsewhere.
      if (!fragment || visited.has(name)) continue;
      count += countRootChecks(fragment.selectionSet, fragments, new Set([...visited, name]));
    }
  }
  return count;
}
