// Access reports: the credential report and service last accessed data. Thin
// resolvers over src/audit/{credential-report,service-last-accessed}.ts; both
// keep their results in the database, so every server process answers them.
import type { Resolvers } from '../../generated/graphql.js';
import { guarded } from '../caller.js';
import { generateCredentialReport, getCredentialReport } from '../../audit/credential-report.js';
import { checkJobId, generateServiceLastAccessedDetails, getServiceLastAccessedJob, saveServiceLastAccessedJob } from '../../audit/service-last-accessed.js';

export const reportResolvers: Resolvers = {
  Query: {
    getCredentialReport: guarded(async (caller, _args, ctx) => {
      const report = await getCredentialReport(ctx.db, caller.accountId, ctx.deps.clock.now());
      return {
        content: report.content,
        contentBase64: Buffer.from(report.content, 'utf8').toString('base64'),
        reportFormat: 'text/csv',
        generatedTime: report.generatedTime,
      };
    }),
    getServiceLastAccessedDetails: guarded((caller, { input }, ctx) => 
      getServiceLastAccessedJob(ctx.db, caller.accountId, checkJobId(input.jobId), ctx.deps.clock.now())),
  },
  Mutation: {
    generateCredentialReport: guarded((caller, _args, ctx) => 
      generateCredentialReport(ctx.db, caller.accountId, ctx.deps.clock.now())),
    generateServiceLastAccessedDetails: guarded(async ({ accountId }, { input }, ctx) => {
      // Read-only calls are audited in batches: write them first, so the report sees the latest.
      await ctx.deps.audit.flush();
      const job = await generateServiceLastAccessedDetails(ctx.db, accountId, input, ctx.deps.clock);
      await saveServiceLastAccessedJob(ctx.db, accountId, job);
      return { jobId: job.jobId };
    }),
  },
};
