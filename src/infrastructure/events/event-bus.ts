import type { Executor } from '../../shared/transaction.js';

/**
 * A typed, in-process domain-event bus: "something happened" told once by the code that did it, and
 * reacted to by any number of subscribers that the writer does not know about.
 *
 * Guarantees:
 * - Events published inside a transaction (see unit-of-work.ts) are delivered only after it has
 *   committed, one after the other in the order published; a rollback drops them. `publish` on the bus itself delivers
 *   at once, for work that is already committed (a single statement outside a transaction) or that
 *   writes nothing.
 * - Durable subscribers, when the bus has a job queue (`durable` option), are not called in-process:
 *   each becomes a job (`event:<subscriber name>`) enqueued in the publishing transaction itself, so it
 *   exists if and only if the transaction commits, and a worker runs it with retries.
 * - A subscriber that throws is reported through `onSubscriberError` (with the event's name and the
 *   subscriber's, never the payload: it may hold an email address or a token's owner) and neither
 *   fails the publisher nor keeps the other subscribers from running.
 * - `settle()` waits for every delivery still running, detached ones included (tests, graceful shutdown).
 *
 * Payload types are checked at compile time against the event map `E`: an unknown event name or a
 * payload of the wrong shape does not compile.
 */
export type EventMap<E> = { [K in keyof E]: object };

/** One event as collected by a transaction: its name and the payload that name requires. */
export type PublishedEvent<E> = { [K in keyof E]: { name: K; payload: E[K] } }[keyof E];

export interface SubscribeOptions<P = never> {
  /** Names the subscriber in failure logs. */
  name: string;
  /**
   * Only events whose payload passes it reach this subscriber; for a durable one, only those become
   * jobs, so an event the subscriber would ignore costs no job (decided from the payload alone, in
   * the publishing transaction).
   */
  when?: (payload: P) => boolean;
  /**
   * Default false: the publisher waits for this subscriber after the commit (so a cache invalidated
   * here is invalidated before the response that follows the write). True: it starts on a later turn
   * of the event loop and the publisher never waits for it, so neither its duration nor its outcome
   * can show in the response (the password-reset email); `settle()` still waits for it.
   */
  detached?: boolean;
  /**
   * Marks work that must not be lost when the process stops between the commit and the subscriber's
   * end (an email, a certificate, a count kept in another table). With the background job queue
   * (the application's bus has it), a durable subscriber becomes a job enqueued in the publishing
   * transaction itself: committed with the write or not at all, run at least once by a worker,
   * retried with backoff, so its handler must be idempotent, and `name` must be unique among durable
   * subscribers (it names the job's task). On a bus without a queue it is delivered like a detached
   * subscriber: in-process, after commit, at most once.
   */
  durable?: boolean;
  /** Durable only: attempts before its job counts as failed (default 25). */
  maxAttempts?: number;
}

/** One durable subscriber's share of a published event: what its job carries. */
export interface DurableDelivery {
  event: string;
  subscriber: string;
  payload: object;
  maxAttempts?: number;
}

/** Where durable subscribers' deliveries go: the job queue (src/infrastructure/jobs/durable-events.ts). */
export interface DurableSink {
  /** Enqueues one job per delivery on `executor` (the publishing transaction), or on its own database. */
  enqueue(executor: Executor | undefined, deliveries: readonly DurableDelivery[]): Promise<void>;
}

/** A durable subscriber as the worker runs it. */
export interface DurableSubscriber {
  event: string;
  name: string;
  maxAttempts?: number;
  handler: (payload: never) => Promise<void>;
}

export interface SubscriberFailure {
  event: string;
  subscriber: string;
  error: unknown;
}

export interface EventBusOptions {
  /** Told about every failing subscriber. Log the error; the payload is deliberately not passed. */
  onSubscriberError: (failure: SubscriberFailure) => void;
  /** The job queue durable subscribers go through; without it they run in-process, detached. */
  durable?: DurableSink;
}

export interface EventBus<E extends EventMap<E>> {
  subscribe<K extends keyof E>(
    name: K,
    handler: (payload: E[K]) => Promise<void>,
    options: SubscribeOptions<E[K]>,
  ): void;
  /**
   * Delivers one event now. Resolves once the waited-for subscribers have run (never rejects:
   * their failures are reported); detached ones are only started; with a queue, durable ones'
   * jobs have been enqueued (on the queue's own connection: the work is already committed).
   */
  publish<K extends keyof E>(name: K, payload: E[K]): Promise<void>;
  /**
   * Delivers events collected by a committed transaction, like `publish` does each one, in order:
   * an event's waited-for subscribers (which run side by side) finish before the next event's start.
   * `durableEnqueued`: the transaction already enqueued the durable subscribers' jobs (`enqueueDurable`).
   */
  deliver(events: readonly PublishedEvent<E>[], options?: { durableEnqueued?: boolean }): Promise<void>;
  /**
   * Inside a transaction, before its commit: enqueues the jobs of the durable subscribers of
   * `events` on `tx` (no query when none has one). Rejects with the database's error, which should
   * fail the transaction: a write that commits must not lose its durable reactions.
   */
  enqueueDurable(tx: Executor, events: readonly PublishedEvent<E>[]): Promise<void>;
  /** Whether committing `events` enqueues a job (a durable subscriber wants one of them). */
  hasDurableDeliveries(events: readonly PublishedEvent<E>[]): boolean;
  /** The durable subscribers, for the worker to run as tasks (empty without a queue). */
  durableSubscribers(): readonly DurableSubscriber[];
  /** Resolves once no delivery is running any more, including those started while waiting. */
  settle(): Promise<void>;
}

interface Subscription {
  handler: (payload: never) => Promise<void>;
  options: SubscribeOptions<unknown>;
}

const wants = (subscription: Subscription, payload: unknown): boolean =>
  subscription.options.when === undefined || subscription.options.when(payload);

export function createEventBus<E extends EventMap<E>>(options: EventBusOptions): EventBus<E> {
  const subscriptions = new Map<keyof E, Subscription[]>();
  const inFlight = new Set<Promise<void>>();
  const { durable } = options;
  const isQueued = (subscription: Subscription) =>
    durable !== undefined && subscription.options.durable === true;

  function track(delivery: Promise<void>): Promise<void> {
    inFlight.add(delivery);
    void delivery.finally(() => inFlight.delete(delivery));
    return delivery;
  }

  function report(event: keyof E, subscription: Subscription, error: unknown): void {
    try {
      options.onSubscriberError({ event: String(event), subscriber: subscription.options.name, error });
    } catch {
      // A broken error reporter must not turn a subscriber's failure into the publisher's.
    }
  }

  async function run<K extends keyof E>(name: K, payload: E[K], subscription: Subscription): Promise<void> {
    try {
      await (subscription.handler as (payload: E[K]) => Promise<void>)(payload);
    } catch (error) {
      report(name, subscription, error);
    }
  }

  function start<K extends keyof E>(name: K, payload: E[K]): Promise<void>[] {
    const waited: Promise<void>[] = [];
    for (const subscription of subscriptions.get(name) ?? []) {
      // Its job was (or is being) enqueued: a worker runs it.
      if (isQueued(subscription) || !wants(subscription, payload)) continue;
      if (subscription.options.detached === true || subscription.options.durable === true) {
        const later = new Promise<void>((resolve) => setImmediate(resolve));
        track(later.then(() => run(name, payload, subscription)));
      } else {
        waited.push(track(run(name, payload, subscription)));
      }
    }
    return waited;
  }

  function deliveriesOf(events: readonly PublishedEvent<E>[]): DurableDelivery[] {
    if (durable === undefined) return [];
    return events.flatMap((event) =>
      (subscriptions.get(event.name) ?? [])
        .filter((subscription) => isQueued(subscription) && wants(subscription, event.payload))
        .map((subscription) => ({
          event: String(event.name),
          subscriber: subscription.options.name,
          payload: event.payload as object,
          ...(subscription.options.maxAttempts === undefined
            ? {}
            : { maxAttempts: subscription.options.maxAttempts }),
        })),
    );
  }

  /** Outside a transaction (work already committed): enqueued on the queue's own connection. */
  async function enqueueAfterCommit(events: readonly PublishedEvent<E>[]): Promise<void> {
    const deliveries = deliveriesOf(events);
    if (deliveries.length === 0 || durable === undefined) return;
    try {
      await durable.enqueue(undefined, deliveries);
    } catch (error) {
      for (const delivery of deliveries) {
        try {
          options.onSubscriberError({ event: delivery.event, subscriber: delivery.subscriber, error });
        } catch {
          // as in report()
        }
      }
    }
  }

  async function deliver(
    events: readonly PublishedEvent<E>[],
    deliverOptions: { durableEnqueued?: boolean } = {},
  ): Promise<void> {
    if (deliverOptions.durableEnqueued !== true) await enqueueAfterCommit(events);
    // One event after the other: a subscriber of a later event may rely on an earlier one's effect.
    for (const event of events) await Promise.all(start(event.name, event.payload));
  }

  return {
    subscribe(name, handler, subscribeOptions) {
      if (
        durable !== undefined &&
        subscribeOptions.durable === true &&
        [...subscriptions.values()]
          .flat()
          .some((s) => isQueued(s) && s.options.name === subscribeOptions.name)
      ) {
        throw new Error(
          `durable subscriber ${subscribeOptions.name} is subscribed twice (its name names its job)`,
        );
      }
      const list = subscriptions.get(name) ?? [];
      list.push({
        handler: handler as Subscription['handler'],
        options: subscribeOptions as SubscribeOptions<unknown>,
      });
      subscriptions.set(name, list);
    },

    publish(name, payload) {
      return deliver([{ name, payload } as PublishedEvent<E>]);
    },

    deliver,

    async enqueueDurable(tx, events) {
      const deliveries = deliveriesOf(events);
      if (deliveries.length > 0 && durable !== undefined) await durable.enqueue(tx, deliveries);
    },

    hasDurableDeliveries(events) {
      return deliveriesOf(events).length > 0;
    },

    durableSubscribers() {
      if (durable === undefined) return [];
      return [...subscriptions.entries()].flatMap(([event, list]) =>
        list.filter(isQueued).map((subscription) => ({
          event: String(event),
          name: subscription.options.name,
          maxAttempts: subscription.options.maxAttempts,
          handler: subscription.handler,
        })),
      );
    },

    async settle() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
  };
}
