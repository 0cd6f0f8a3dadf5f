// Builds the compact index of the AWS-managed policy catalog (see
// src/iam/aws-managed-policies.ts) ahead of time, so that no request pays for it.
// Run by scripts/bootstrap.mjs: `node --import tsx scripts/build-aws-managed-policies.ts`.
import { ensureIndex } from '../src/iam/aws-managed-policies.js';

const started = performance.now();
const { index } = ensureIndex();
console.log(`[generate] AWS-managed policy index ${index} (${Math.round(performance.now() - started)} ms)`);
