import type { Executor, Transaction } from '../../shared/transaction.js';
import type { Database } from '../database/client/client.js';
import type { EventBus, EventMap, PublishedEvent } from './event-bus.js';

/** Where a transaction's work publishes: collected now, delivered once the transaction has committed. */
export interface TransactionEvents<E extends EventMap<E>> {
  publish<K extends keyof E>(name: K, payload: E[K]): void;
}

/**
 * `db.transaction(work)` whose events reach the subscribers only after the commit: a subscriber
 * never sees a write that could still roll back, and a rollback (a thrown error, a failed commit)
 * drops them. Durable subscribers' jobs are enqueued in the transaction itself, after `work` and
 * before the commit, so they exist if and only if it commits. Resolves with the work's result once
 * the waited-for subscribers have run.
 */
export async function unitOfWork<E extends EventMap<E>, T>(
  db: Database,
  bus: EventBus<E>,
  work: (tx: Transaction, events: TransactionEvents<E>) => Promise<T>,
): Promise<T> {
  const collected: PublishedEvent<E>[] = [];
  let open = true;
  const events: TransactionEvents<E> = {
    publish(name, payload) {
      // Published from a callback that outlived the transaction: it would never be delivered.
      if (!open) throw new Error(`event ${String(name)} published after its transaction ended`);
      collected.push({ name, payload } as PublishedEvent<E>);
    },
  };
  let result: T;
  try {
    result = await db.transaction(async (tx) => {
      const value = await work(tx, events);
      open = false;
      await bus.enqueueDurable(tx, collected);
      return value;
    });
  } finally {
    open = false;
  }
  await bus.deliver(collected, { durableEnqueued: true });
  return result;
}

/**
 * A write of one statement (atomic by itself) whose event is known before it runs, delivered as
 * unitOfWork delivers it: after the write has committed, and only if it wrote (`write` resolved to
 * something other than undefined). When no durable subscriber wants the event, the statement runs
 * on the pool and commits by itself: two round trips (BEGIN, COMMIT) fewer than a transaction, on
 * hot paths such as a quiz submit. When one does, it runs in a unitOfWork, so that the subscriber's
 * job is enqueued if and only if the write commits. `write` gets the executor to run it on.
 */
export async function singleStatementWrite<E extends EventMap<E>, T>(
  db: Database,
  bus: EventBus<E>,
  event: PublishedEvent<E>,
  write: (executor: Executor) => Promise<T | undefined>,
): Promise<T | undefined> {
  if (bus.hasDurableDeliveries([event])) {
    return unitOfWork(db, bus, async (tx, events) => {
      const written = await write(tx);
      if (written !== undefined) events.publish(event.name, event.payload);
      return written;
    });
  }
  const written = await write(db);
  if (written !== undefined) await bus.deliver([event], { durableEnqueued: true });
  return written;
}
