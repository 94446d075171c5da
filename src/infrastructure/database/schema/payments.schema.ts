import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  foreignKey,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  unique,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import {
  currency,
  currencyCheck,
  emptyJsonObject,
  id,
  jsonbTypeCheck,
  nonNegative,
  positive,
  timestamps,
  timestamptz,
} from './columns.js';
import { courses } from './courses.schema.js';
import { paymentStatusEnum, refundStatusEnum, subscriptionStatusEnum } from './enums.schema.js';
import { users } from './users.schema.js';

/** Payment providers: Stripe in production, a local test provider otherwise. */
export const paymentProviders = ['stripe', 'local'] as const;
export type PaymentProvider = (typeof paymentProviders)[number];

export const subscriptionIntervals = ['month', 'year'] as const;
export type SubscriptionInterval = (typeof subscriptionIntervals)[number];

/**
 * Recurring plans. Money rows keep their user: users.id is RESTRICT here.
 * At most one live (incomplete/trialing/active/past_due) subscription per user and plan.
 */
export const subscriptions = pgTable(
  'subscriptions',
  {
    id: id(),
    userId: uuid('user_id').notNull(),
    provider: text('provider').$type<PaymentProvider>().notNull(),
    /** Provider's id; NULL until the provider has created it. */
    providerSubscriptionId: text('provider_subscription_id'),
    planCode: text('plan_code').notNull(),
    status: subscriptionStatusEnum('status').notNull().default('incomplete'),
    amountCents: integer('amount_cents').notNull(),
    currency: currency(),
    interval: text('interval').$type<SubscriptionInterval>().notNull(),
    currentPeriodStart: timestamptz('current_period_start'),
    currentPeriodEnd: timestamptz('current_period_end'),
    cancelAtPeriodEnd: boolean('cancel_at_period_end').notNull().default(false),
    cancelledAt: timestamptz('cancelled_at'),
    trialEndsAt: timestamptz('trial_ends_at'),
    ...timestamps,
  },
  (t) => [
    foreignKey({
      name: 'subscriptions_user_id_fk',
      columns: [t.userId],
      foreignColumns: [users.id],
    }).onDelete('restrict'),
    unique('subscriptions_provider_subscription_id_unique').on(t.providerSubscriptionId),
    index('subscriptions_user_id_status_idx').on(t.userId, t.status),
    uniqueIndex('subscriptions_user_id_plan_code_live_unique')
      .on(t.userId, t.planCode)
      .where(sql`status IN ('incomplete', 'trialing', 'active', 'past_due')`),
    // Renewal / expiry sweeps: WHERE status = $1 AND current_period_end < now().
    index('subscriptions_status_current_period_end_idx').on(t.status, t.currentPeriodEnd),
    check('subscriptions_provider_check', sql`${t.provider} IN ('stripe', 'local')`),
    check('subscriptions_interval_check', sql`${t.interval} IN ('month', 'year')`),
    nonNegative('subscriptions_amount_cents_check', t.amountCents),
    currencyCheck('subscriptions_currency_check', t.currency),
    check(
      'subscriptions_period_check',
      sql`${t.currentPeriodEnd} IS NULL OR ${t.currentPeriodStart} IS NULL OR ${t.currentPeriodEnd} > ${t.currentPeriodStart}`,
    ),
  ],
);

export type PaymentMetadata = Record<string, unknown>;

/**
 * One charge (course purchase or subscription invoice). A payment does not point at an enrollment:
 * enrollments.payment_id points here (one direction only, no FK cycle).
 * `idempotency_key` is the client's Idempotency-Key, unique per user.
 */
export const payments = pgTable(
  'payments',
  {
    id: id(),
    userId: uuid('user_id').notNull(),
    courseId: uuid('course_id'),
    subscriptionId: uuid('subscription_id'),
    provider: text('provider').$type<PaymentProvider>().notNull(),
    /** Provider's id (Stripe PaymentIntent id); NULL until the provider has created it. */
    providerPaymentId: text('provider_payment_id'),
    amountCents: integer('amount_cents').notNull(),
    /** Sum of succeeded refunds, maintained with refunds in one transaction. */
    refundedAmountCents: integer('refunded_amount_cents').notNull().default(0),
    currency: currency(),
    status: paymentStatusEnum('status').notNull().default('pending'),
    idempotencyKey: text('idempotency_key'),
    failureReason: text('failure_reason'),
    paidAt: timestamptz('paid_at'),
    metadata: jsonb('metadata').$type<PaymentMetadata>().notNull().default(emptyJsonObject),
    ...timestamps,
  },
  (t) => [
    foreignKey({ name: 'payments_user_id_fk', columns: [t.userId], foreignColumns: [users.id] }).onDelete(
      'restrict',
    ),
    foreignKey({
      name: 'payments_course_id_fk',
      columns: [t.courseId],
      foreignColumns: [courses.id],
    }).onDelete('set null'),
    foreignKey({
      name: 'payments_subscription_id_fk',
      columns: [t.subscriptionId],
      foreignColumns: [subscriptions.id],
    }).onDelete('set null'),
    unique('payments_provider_payment_id_unique').on(t.providerPaymentId),
    unique('payments_user_id_idempotency_key_unique').on(t.userId, t.idempotencyKey),
    // A user's payment history, newest first.
    index('payments_user_id_created_at_idx').on(t.userId, t.createdAt.desc().nullsFirst()),
    index('payments_course_id_idx').on(t.courseId),
    index('payments_subscription_id_idx').on(t.subscriptionId),
    // Reconciliation of stuck pending/processing payments.
    index('payments_status_created_at_idx').on(t.status, t.createdAt),
    check('payments_provider_check', sql`${t.provider} IN ('stripe', 'local')`),
    nonNegative('payments_amount_cents_check', t.amountCents),
    check(
      'payments_refunded_amount_cents_check',
      sql`${t.refundedAmountCents} >= 0 AND ${t.refundedAmountCents} <= ${t.amountCents}`,
    ),
    currencyCheck('payments_currency_check', t.currency),
    check(
      'payments_paid_at_check',
      sql`${t.status} NOT IN ('succeeded', 'refunded', 'partially_refunded') OR ${t.paidAt} IS NOT NULL`,
    ),
    jsonbTypeCheck('payments_metadata_object_check', t.metadata, 'object'),
  ],
);

/** A (partial or full) refund of a payment. Refunds keep their payment: payments.id is RESTRICT. */
export const refunds = pgTable(
  'refunds',
  {
    id: id(),
    paymentId: uuid('payment_id').notNull(),
    requestedById: uuid('requested_by_id'),
    providerRefundId: text('provider_refund_id'),
    amountCents: integer('amount_cents').notNull(),
    currency: currency(),
    reason: text('reason'),
    status: refundStatusEnum('status').notNull().default('pending'),
    failureReason: text('failure_reason'),
    processedAt: timestamptz('processed_at'),
    ...timestamps,
  },
  (t) => [
    foreignKey({
      name: 'refunds_payment_id_fk',
      columns: [t.paymentId],
      foreignColumns: [payments.id],
    }).onDelete('restrict'),
    foreignKey({
      name: 'refunds_requested_by_id_fk',
      columns: [t.requestedById],
      foreignColumns: [users.id],
    }).onDelete('set null'),
    unique('refunds_provider_refund_id_unique').on(t.providerRefundId),
    index('refunds_payment_id_idx').on(t.paymentId, t.createdAt),
    index('refunds_requested_by_id_idx').on(t.requestedById),
    index('refunds_status_created_at_idx').on(t.status, t.createdAt),
    positive('refunds_amount_cents_check', t.amountCents),
    currencyCheck('refunds_currency_check', t.currency),
  ],
);

export type Subscription = typeof subscriptions.$inferSelect;
export type NewSubscription = typeof subscriptions.$inferInsert;
export type Payment = typeof payments.$inferSelect;
export type NewPayment = typeof payments.$inferInsert;
export type Refund = typeof refunds.$inferSelect;
export type NewRefund = typeof refunds.$inferInsert;
