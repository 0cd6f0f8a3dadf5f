// Verifies an MFA code presented by the calling principal for one of its own
// devices (AssumeRole's SerialNumber + TokenCode).
import type { Deps } from '../context.js';
import type { Principal } from './principal.js';

/** True when `serialNumber` is an enabled device of the caller and `code` is its current, unused code. */
export async function verifyCallerMfaCode(deps: Deps, principal: Principal, serialNumber: string, code: string): Promise<boolean> {
  void deps;
  void principal;
  void serialNumber;
  void code;
  return false;
}
