// Migrations and the Prisma schema agree: the schema as last migrated (what
// `npm run db:migration` diffs from) is the schema, and a migrated database has the
// columns and constraints the code relies on.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { newUniqueId } from '../src/iam/ids.js';
import { accountWithAlice } from './support/scenarios.js';
import { useTestServer } from './support/server.js';

const server = useTestServer();

describe('migrations', () => {
  it('cover every change to prisma/schema.prisma (run `npm run db:migration -- <name>` after editing it)', () => {
    expect(readFileSync('prisma/schema.prisma', 'utf8')).toBe(readFileSync('prisma/migrations/schema.last.prisma', 'utf8'));
  });

  it('keep exactly one form of an access key secret, a digest or a sealed secret', async () => {
    const { accountId, aliceId } = await accountWithAlice(server);
    const key = (secrets: { secretHash?: string; secretSealed?: string }) =>
      server.db.accessKey.create({ data: { id: newUniqueId('accessKey'), accountId, userId: aliceId, ...secrets } });
    await expect(key({})).rejects.toThrow(/AccessKey_one_secret_form/);
    await expect(key({ secretHash: 'digest', secretSealed: 'sealed' })).rejects.toThrow(/AccessKey_one_secret_form/);
    await expect(key({ secretHash: 'digest' })).resolves.toBeDefined();
  });
});
