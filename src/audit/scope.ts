// Writes a mutation's audit event in the same transaction as its effect. The
// audit wrapper gives each mutation a database handle (`auditedDb`) whose
// `$transaction` adds the scope's event as the transaction's last statement, so
// the effect and its record commit or roll back together. Calls whose effect is
// not a transaction are recorded right after.
//
// The scope travels on the request's context (`ctx.db`), not in an
// AsyncLocalStorage: on Node 20 one AsyncLocalStorage in use puts a promise hook
// on every promise of the process, which costs every request, reads included.
import type { Db, DbTx } from '../db/client.js';

export interface AuditScope {
  /**
   * Inserts the event with the transaction's handle, its response taken from what the
   * transaction resolved with (`result`); resolves with its id. Called after the guard ran.
   */
  write(tx: DbTx, result: unknown): Promise<string>;
  /** Id of the event once a transaction has written it. */
  eventId?: string;
  /** Set once the event is in a committed transaction. */
  written: boolean;
}

/**
 * `db`, except that its interactive transactions also insert `scope`'s event
 * (once per scope) before they commit.
 */
export function auditedDb(db: Db, scope: AuditScope): Db {
  const transaction = db.$transaction.bind(db) as (...args: unknown[]) => Promise<unknown>;
  const audited = (first: unknown, ...rest: unknown[]) => {
    if (typeof first !== 'function') return transaction(first, ...rest);
    const work = first as (tx: Db) => Promise<unknown>;
    return transaction(async (tx: Db) => {
      const result = await work(tx);
      if (!scope.written) {
        scope.eventId = await scope.write(tx, result);
        scope.written = true;
      }
      return result;
    }, ...rest);
  };
  return new Proxy(db, {
    get(target, property) {
      if (property === '$transaction') return audited;
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
