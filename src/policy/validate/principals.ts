// Principal checks of resource and trust policies.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html

import type { CheckContext } from './context.js';

/** ALLOW_WITH_NOT_PRINCIPAL: Allow with NotPrincipal grants access to everyone not listed. */
export function checkPrincipals(ctx: CheckContext): void {
  for (const statement of ctx.doc.statements) {
    if (statement.effect === 'Allow' && statement.notPrincipal) {
      ctx.report(
        'SECURITY_WARNING',
        'ALLOW_WITH_NOT_PRINCIPAL',
        'Using Allow with NotPrincipal can be overly permissive. We recommend that you use Principal instead.',
        ctx.statementPath(statement.index, 'NotPrincipal'),
      );
    }
  }
}
