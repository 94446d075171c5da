/**
 * The seam between the event bus and the job queue: a durable subscriber (`events.subscribe(event,
 * handler, { name, durable: true })`) is a task named `event:<subscriber name>` whose jobs carry
 * `{ event, payload }`. The bus enqueues them in the publishing transaction (durableEventSink); the
 * worker runs them (durableEventTasks).
 */
import type { DurableSink, EventBus, EventMap } from '../events/event-bus.js';
import type { JobQueue, TaskDefinition, TaskMap } from './job-queue.js';

export const DURABLE_TASK_PREFIX = 'event:';

export const durableTaskName = (subscriber: string): string => `${DURABLE_TASK_PREFIX}${subscriber}`;

interface DurableJobPayload {
  event: string;
  payload: object;
}

/** The bus's `durable` option: deliveries become jobs. */
export function durableEventSink<T extends TaskMap<T>>(queue: JobQueue<T>): DurableSink {
  return {
    enqueue: (executor, deliveries) =>
      queue.enqueueRaw(
        executor,
        deliveries.map((delivery) => ({
          task: durableTaskName(delivery.subscriber),
          payload: { event: delivery.event, payload: delivery.payload } satisfies DurableJobPayload,
          maxAttempts: delivery.maxAttempts,
        })),
      ),
  };
}

/** One task per durable subscriber of `bus`, for the runner. */
export function durableEventTasks<E extends EventMap<E>>(
  bus: EventBus<E>,
): Record<string, TaskDefinition<never>> {
  const tasks: Record<string, TaskDefinition<never>> = {};
  for (const subscriber of bus.durableSubscribers()) {
    const definition: TaskDefinition<DurableJobPayload> = {
      handler: async (job) => {
        if (job.event !== subscriber.event) {
          throw new Error(
            `job for ${subscriber.name} carries event ${job.event}, but it subscribes to ${subscriber.event}`,
          );
        }
        await subscriber.handler(job.payload as never);
      },
      maxAttempts: subscriber.maxAttempts,
    };
    tasks[durableTaskName(subscriber.name)] = definition as TaskDefinition<never>;
  }
  return tasks;
}
