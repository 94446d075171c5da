DO $$ BEGIN
 CREATE TYPE "public"."bulk_operation_state" AS ENUM('queued', 'running', 'completed', 'failed');
EXCEPTION
 WHEN duplicate_object THEN null;
END $$;--> statement-breakpoint
CREATE TABLE "course_prerequisites" (
	"course_id" uuid NOT NULL,
	"prerequisite_course_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "course_prerequisites_pkey" PRIMARY KEY("course_id","prerequisite_course_id"),
	CONSTRAINT "course_prerequisites_not_self_check" CHECK ("course_prerequisites"."course_id" <> "course_prerequisites"."prerequisite_course_id")
);
--> statement-breakpoint
CREATE TABLE "idempotency_keys" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"scope" text NOT NULL,
	"key" text NOT NULL,
	"request_hash" text NOT NULL,
	"status_code" integer NOT NULL,
	"resource_id" uuid,
	"response" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	CONSTRAINT "idempotency_keys_user_id_scope_key_unique" UNIQUE("user_id","scope","key"),
	CONSTRAINT "idempotency_keys_key_length_check" CHECK (length("idempotency_keys"."key") BETWEEN 1 AND 255),
	CONSTRAINT "idempotency_keys_status_code_check" CHECK ("idempotency_keys"."status_code" BETWEEN 200 AND 599)
);
--> statement-breakpoint
CREATE TABLE "bulk_operation_items" (
	"operation_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"input" text NOT NULL,
	"outcome" text,
	"enrollment_id" uuid,
	CONSTRAINT "bulk_operation_items_pkey" PRIMARY KEY("operation_id","position"),
	CONSTRAINT "bulk_operation_items_position_check" CHECK ("bulk_operation_items"."position" >= 0),
	CONSTRAINT "bulk_operation_items_outcome_check" CHECK ("bulk_operation_items"."outcome" IN ('enrolled', 'reactivated', 'already_enrolled', 'unknown_email', 'invalid_email', 'duplicate', 'not_allowed'))
);
--> statement-breakpoint
CREATE TABLE "bulk_operations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"kind" text NOT NULL,
	"course_id" uuid,
	"requested_by" uuid,
	"state" "bulk_operation_state" DEFAULT 'queued' NOT NULL,
	"total" integer NOT NULL,
	"processed" integer DEFAULT 0 NOT NULL,
	"counts" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"error" text,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "bulk_operations_kind_check" CHECK ("bulk_operations"."kind" IN ('course_enrollment')),
	CONSTRAINT "bulk_operations_total_check" CHECK ("bulk_operations"."total" >= 0),
	CONSTRAINT "bulk_operations_processed_check" CHECK ("bulk_operations"."processed" BETWEEN 0 AND "bulk_operations"."total"),
	CONSTRAINT "bulk_operations_counts_object_check" CHECK (jsonb_typeof("bulk_operations"."counts") = 'object'),
	CONSTRAINT "bulk_operations_finished_at_check" CHECK ("bulk_operations"."state" NOT IN ('completed', 'failed') OR "bulk_operations"."finished_at" IS NOT NULL)
);
--> statement-breakpoint
ALTER TABLE "courses" ADD COLUMN "sequential_modules" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "courses" ADD COLUMN "access_duration_days" integer;--> statement-breakpoint
ALTER TABLE "lessons" ADD COLUMN "is_required" boolean DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE "certificates" ADD COLUMN "credential" text;--> statement-breakpoint
ALTER TABLE "enrollments" ADD COLUMN "completed_lesson_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "enrollments" ADD COLUMN "time_spent_seconds" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "enrollments" ADD COLUMN "dropped_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "enrollments" ADD COLUMN "enrolled_by" uuid;--> statement-breakpoint
-- Backfill for databases that already hold enrollments, before the checks that need it.
UPDATE "enrollments" SET "dropped_at" = "updated_at" WHERE "status" = 'dropped';--> statement-breakpoint
UPDATE "enrollments" AS e SET "completed_lesson_count" = p.completed, "time_spent_seconds" = p.seconds
  FROM (SELECT lp."enrollment_id",
               count(*) FILTER (WHERE lp."status" = 'completed')::integer AS completed,
               LEAST(coalesce(sum(lp."time_spent_seconds"), 0), 2147483647)::integer AS seconds
          FROM "lesson_progress" AS lp
         GROUP BY lp."enrollment_id") AS p
 WHERE p."enrollment_id" = e."id";--> statement-breakpoint
ALTER TABLE "course_prerequisites" ADD CONSTRAINT "course_prerequisites_course_id_fk" FOREIGN KEY ("course_id") REFERENCES "public"."courses"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "course_prerequisites" ADD CONSTRAINT "course_prerequisites_prerequisite_course_id_fk" FOREIGN KEY ("prerequisite_course_id") REFERENCES "public"."courses"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "idempotency_keys" ADD CONSTRAINT "idempotency_keys_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bulk_operation_items" ADD CONSTRAINT "bulk_operation_items_operation_id_fk" FOREIGN KEY ("operation_id") REFERENCES "public"."bulk_operations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bulk_operation_items" ADD CONSTRAINT "bulk_operation_items_enrollment_id_fk" FOREIGN KEY ("enrollment_id") REFERENCES "public"."enrollments"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bulk_operations" ADD CONSTRAINT "bulk_operations_course_id_fk" FOREIGN KEY ("course_id") REFERENCES "public"."courses"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bulk_operations" ADD CONSTRAINT "bulk_operations_requested_by_fk" FOREIGN KEY ("requested_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "course_prerequisites_prerequisite_course_id_idx" ON "course_prerequisites" USING btree ("prerequisite_course_id");--> statement-breakpoint
CREATE INDEX "idempotency_keys_expires_at_idx" ON "idempotency_keys" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "bulk_operation_items_enrollment_id_idx" ON "bulk_operation_items" USING btree ("enrollment_id");--> statement-breakpoint
CREATE INDEX "bulk_operations_course_id_created_at_idx" ON "bulk_operations" USING btree ("course_id","created_at" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "bulk_operations_requested_by_idx" ON "bulk_operations" USING btree ("requested_by");--> statement-breakpoint
ALTER TABLE "enrollments" ADD CONSTRAINT "enrollments_enrolled_by_fk" FOREIGN KEY ("enrolled_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "password_reset_tokens_expires_at_idx" ON "password_reset_tokens" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "enrollments_enrolled_by_idx" ON "enrollments" USING btree ("enrolled_by");--> statement-breakpoint
ALTER TABLE "courses" ADD CONSTRAINT "courses_access_duration_days_check" CHECK ("courses"."access_duration_days" BETWEEN 1 AND 36500);--> statement-breakpoint
ALTER TABLE "certificates" ADD CONSTRAINT "certificates_revocation_reason_check" CHECK ("certificates"."revoked_at" IS NULL OR length(btrim(coalesce("certificates"."revocation_reason", ''))) > 0);--> statement-breakpoint
ALTER TABLE "enrollments" ADD CONSTRAINT "enrollments_completed_lesson_count_check" CHECK ("enrollments"."completed_lesson_count" >= 0);--> statement-breakpoint
ALTER TABLE "enrollments" ADD CONSTRAINT "enrollments_time_spent_seconds_check" CHECK ("enrollments"."time_spent_seconds" >= 0);--> statement-breakpoint
ALTER TABLE "enrollments" ADD CONSTRAINT "enrollments_dropped_at_check" CHECK ("enrollments"."status" <> 'dropped' OR "enrollments"."dropped_at" IS NOT NULL);