// Verifies an MFA code presented by the calling principal for one of its own
// devices (AssumeRole's SerialNumber + TokenCode).
import type { Deps } from '../context.js';
import { verifyMfaCode } from './mfa.js';
import type { Principal } from './principal.js';

/** True when `serialNumber` is an enabled device of the calling user and `code` its current, unused code. */
export async function verifyCallerMfaCode(deps: Deps, principal: Principal, serialNumber: string, code: string): Promise<boolean> {
  if (principal.kind !== 'user' || !principal.userId) return false;
  const device = await deps.db.mfaDevice.findFirst({
    where: { serialNumber, accountId: principal.accountId, userId: principal.userId, enabledAt: { not: null } },
  });
  return device ? verifyMfaCode(deps.db, deps.sealer, device, code) : false;
}
