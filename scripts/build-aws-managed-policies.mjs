// Builds the compact index of the AWS-managed policy catalog (see
// src/iam/aws-managed-policies.ts) ahead of time, so that no request pays for it.
// Runs the compiled code (dist/, scripts/build.mjs): by scripts/bootstrap.mjs after
// the build, and by the Docker image's build once its production dependencies are
// installed (the index lives beside them, under node_modules/.cache/open-iam/).
import { ensureIndex } from '../dist/iam/aws-managed-policies.js';

const started = performance.now();
const { index } = ensureIndex();
console.log(`[generate] AWS-managed policy index ${index} (${Math.round(performance.now() - started)} ms)`);
