// Verifies an MFA code presented by the calling principal for one of its own
// devices (AssumeRole's SerialNumber + TokenCode). Wrong codes count against the
// same throttle as sign-in, so six-digit codes cannot be guessed at leisure.
import type { Deps } from '../context.js';
import { InvalidAuthenticationCodeError } from '../errors.js';
import { verifyMfaCode } from '../iam/mfa.js';
import type { Principal } from '../sessions/principal.js';

/** True when `serialNumber` is an enabled device of the calling user and `code` its current, unused code. */
export async function verifyCallerMfaCode(deps: Deps, principal: Principal, serialNumber: string, code: string, sourceIp = 'unknown'): Promise<boolean> {
  if (principal.kind !== 'user' || !principal.userId) return false;
  const userId = principal.userId;
  try {
    return await deps.throttle.run(
      { principal: `mfa:${principal.accountId}:${userId}`, sourceIp },
      async () => {
        const device = await deps.db.mfaDevice.findFirst({
          where: { serialNumber, accountId: principal.accountId, userId, enabledAt: { not: null } },
        });
        if (!device || !(await verifyMfaCode(deps.db, deps.sealer, device, code))) throw new InvalidAuthenticationCodeError('Invalid MFA code.');
        return true;
      },
      (error) => error instanceof InvalidAuthenticationCodeError,
    );
  } catch (error) {
    if (error instanceof InvalidAuthenticationCodeError) return false;
    throw error;
  }
}
