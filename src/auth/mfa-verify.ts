// Verifies an MFA code presented by the calling principal for one of its own
// devices (AssumeRole's SerialNumber + TokenCode). Wrong codes count against the
// same throttle as sign-in, so six-digit codes cannot be guessed at leisure.
import type { Clock } from '../clock.js';
import type { Sealer } from '../crypto/seal.js';
import type { Db } from '../db/client.js';
import { InvalidAuthenticationCodeError } from '../errors.js';
import { verifyMfaCode } from '../iam/mfa.js';
import type { Principal } from '../sessions/principal.js';
import type { SignInThrottle } from './throttle.js';

/** What checking a caller's MFA code uses. */
export interface MfaVerifyDeps {
  db: Db;
  sealer: Sealer;
  throttle: SignInThrottle;
  clock: Clock;
}

/** True when `serialNumber` is an enabled device of the calling user and `code` its current, unused code. */
export async function verifyCallerMfaCode(deps: MfaVerifyDeps, principal: Principal, serialNumber: string, code: string, sourceIp = 'unknown'): Promise<boolean> {
  if (principal.kind !== 'user' || !principal.userId) return false;
  const userId = principal.userId;
  try {
    return await deps.throttle.run(
      { principal: `mfa:${principal.accountId}:${userId}`, sourceIp },
      async () => {
        const device = await deps.db.mfaDevice.findFirst({
          where: { serialNumber, accountId: principal.accountId, userId, enabledAt: { not: null } },
        });
        if (!device || !(await verifyMfaCode(deps.db, deps.sealer, device, code, deps.clock.now()))) throw new InvalidAuthenticationCodeError('Invalid MFA code.');
        return true;
      },
      (error) => error instanceof InvalidAuthenticationCodeError,
    );
  } catch (error) {
    if (error instanceof InvalidAuthenticationCodeError) return false;
    throw error;
  }
}
