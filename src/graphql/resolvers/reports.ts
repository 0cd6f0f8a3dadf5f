// Access reports: the credential report and service last accessed data. Thin
// resolvers over src/audit/{credential-report,service-last-accessed}.ts; both
// keep their results in memory per account for this running service.
import type { Resolvers } from '../../generated/graphql.js';
import { requirePrincipal } from '../../context.js';
import { generateCredentialReport, reportStoreOf } from '../../audit/credential-report.js';
import { checkJobId, generateServiceLastAccessedDetails, jobStoreOf } from '../../audit/service-last-accessed.js';

export const reportResolvers: Resolvers = {
  Query: {
    getCredentialReport: (_parent, _args, ctx) => {
      const report = reportStoreOf(ctx.deps).get(requirePrincipal(ctx).accountId);
      return {
        content: report.content,
        contentBase64: Buffer.from(report.content, 'utf8').toString('base64'),
        reportFormat: 'text/csv',
        generatedTime: report.generatedTime,
      };
    },
    getServiceLastAccessedDetails: (_parent, { input }, ctx) =>
      jobStoreOf(ctx.deps).get(requirePrincipal(ctx).accountId, checkJobId(input.jobId)),
  },
  Mutation: {
    generateCredentialReport: (_parent, _args, ctx) =>
      generateCredentialReport(ctx.db, reportStoreOf(ctx.deps), requirePrincipal(ctx).accountId),
    generateServiceLastAccessedDetails: async (_parent, { input }, ctx) => {
      const { accountId } = requirePrincipal(ctx);
      // Read-only calls are audited in batches: write them first, so the report sees the latest.
      await ctx.deps.audit.flush();
      const job = await generateServiceLastAccessedDetails(ctx.db, accountId, input);
      jobStoreOf(ctx.deps).save(accountId, job);
      return { jobId: job.jobId };
    },
  },
};
