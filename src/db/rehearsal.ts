// A rehearsal: a write run for real inside one transaction that is then rolled back,
// so that a dry run answers from the very checks, locks and quotas the write would meet
// (a quota reached, a name taken, a policy still attached) rather than from a copy of
// them, and leaves nothing behind. The services own their transactions
// (`db.$transaction(fn)`); here their client is one whose `$transaction` runs `fn` in
// the rehearsal's transaction, so every statement they send is rolled back with it.
import type { Db, DbTx } from './client.js';

/** Thrown inside the transaction once the write has succeeded, to roll it back. */
class RolledBack extends Error {
  constructor(readonly value: unknown) {
    super('rehearsal rolled back');
  }
}

/** A client whose every statement, `$transaction` included, runs in `tx`. */
function clientIn(tx: DbTx): Db {
  const client: Db = new Proxy(tx as Db, {
    get(target, property) {
      if (property === '$transaction') {
        return (work: ((inner: Db) => Promise<unknown>) | Promise<unknown>[]) =>
          typeof work === 'function' ? work(client) : sequentially(work);
      }
      const value: unknown = Reflect.get(target, property);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return client;
}

/** A batch transaction's statements, in order (they were made on the rehearsal's client, so they run in its transaction). */
async function sequentially(statements: Promise<unknown>[]): Promise<unknown[]> {
  const results: unknown[] = [];
  for (const statement of statements) results.push(await statement);
  return results;
}

/**
 * Runs `write` on a client whose statements all belong to one transaction, then rolls
 * that transaction back: returns what `write` returned, or throws what it threw, and the
 * store is as it was either way. Concurrent writers are held by the locks `write` takes,
 * as they would be by the write itself, until the rollback.
 */
export async function rehearse<T>(db: Db, write: (client: Db) => Promise<T>): Promise<T> {
  try {
    await db.$transaction(async (tx) => {
      throw new RolledBack(await write(clientIn(tx)));
    });
  } catch (error) {
    if (error instanceof RolledBack) return error.value as T;
    throw error;
  }
  throw new Error('rehearse: the transaction committed');
}
