CREATE TABLE "calendar_feed_tokens" (
	"user_id" uuid PRIMARY KEY NOT NULL,
	"token_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "calendar_feed_tokens_token_hash_unique" UNIQUE("token_hash")
);
--> statement-breakpoint
CREATE TABLE "grade_changes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"assignment_submission_id" uuid,
	"quiz_submission_id" uuid,
	"grader_id" uuid,
	"old_grade" numeric(8, 2),
	"new_grade" numeric(8, 2),
	"old_status" text,
	"new_status" text NOT NULL,
	"feedback" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "grade_changes_one_submission_check" CHECK (num_nonnulls("grade_changes"."assignment_submission_id", "grade_changes"."quiz_submission_id") = 1),
	CONSTRAINT "grade_changes_old_grade_check" CHECK ("grade_changes"."old_grade" >= 0),
	CONSTRAINT "grade_changes_new_grade_check" CHECK ("grade_changes"."new_grade" >= 0)
);
--> statement-breakpoint
CREATE TABLE "rubric_assessments" (
	"submission_id" uuid NOT NULL,
	"criterion_id" uuid NOT NULL,
	"level_id" uuid NOT NULL,
	"points" numeric(8, 2) NOT NULL,
	"comment" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "rubric_assessments_pkey" PRIMARY KEY("submission_id","criterion_id"),
	CONSTRAINT "rubric_assessments_points_check" CHECK ("rubric_assessments"."points" >= 0)
);
--> statement-breakpoint
CREATE TABLE "rubric_criteria" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"assignment_id" uuid NOT NULL,
	"title" text NOT NULL,
	"description" text,
	"position" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "rubric_criteria_assignment_id_position_unique" UNIQUE("assignment_id","position"),
	CONSTRAINT "rubric_criteria_position_check" CHECK ("rubric_criteria"."position" >= 0),
	CONSTRAINT "rubric_criteria_title_length_check" CHECK (length("rubric_criteria"."title") BETWEEN 1 AND 200)
);
--> statement-breakpoint
CREATE TABLE "rubric_levels" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"criterion_id" uuid NOT NULL,
	"title" text NOT NULL,
	"description" text,
	"points" numeric(8, 2) NOT NULL,
	"position" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "rubric_levels_criterion_id_position_unique" UNIQUE("criterion_id","position"),
	CONSTRAINT "rubric_levels_points_check" CHECK ("rubric_levels"."points" >= 0),
	CONSTRAINT "rubric_levels_position_check" CHECK ("rubric_levels"."position" >= 0),
	CONSTRAINT "rubric_levels_title_length_check" CHECK (length("rubric_levels"."title") BETWEEN 1 AND 200)
);
--> statement-breakpoint
ALTER TABLE "assignment_submissions" ADD COLUMN "penalty_percent" numeric(5, 2) DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "assignment_submissions" ADD COLUMN "grade_version" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "assignments" ADD COLUMN "late_penalty_max_percent" integer DEFAULT 100 NOT NULL;--> statement-breakpoint
ALTER TABLE "assignments" ADD COLUMN "max_file_size_bytes" integer DEFAULT 10485760 NOT NULL;--> statement-breakpoint
ALTER TABLE "assignments" ADD COLUMN "is_required" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "assignments" ADD COLUMN "passing_score" integer DEFAULT 70 NOT NULL;--> statement-breakpoint
ALTER TABLE "assignments" ADD COLUMN "due_reminder_sent_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "questions" ADD COLUMN "case_sensitive" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "questions" ADD COLUMN "normalize_whitespace" boolean DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE "questions" ADD COLUMN "partial_credit" boolean DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE "quiz_submissions" ADD COLUMN "deadline_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "quiz_submissions" ADD COLUMN "question_order" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "quiz_submissions" ADD COLUMN "answers_sequence" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "quiz_submissions" ADD COLUMN "results" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "quiz_submissions" ADD COLUMN "auto_submitted" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "quizzes" ADD COLUMN "shuffle_options" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "quizzes" ADD COLUMN "show_correct_answers_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "quizzes" ADD COLUMN "score_policy" text DEFAULT 'highest' NOT NULL;--> statement-breakpoint
ALTER TABLE "quizzes" ADD COLUMN "is_required" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "calendar_feed_tokens" ADD CONSTRAINT "calendar_feed_tokens_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "grade_changes" ADD CONSTRAINT "grade_changes_assignment_submission_id_fk" FOREIGN KEY ("assignment_submission_id") REFERENCES "public"."assignment_submissions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "grade_changes" ADD CONSTRAINT "grade_changes_quiz_submission_id_fk" FOREIGN KEY ("quiz_submission_id") REFERENCES "public"."quiz_submissions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "grade_changes" ADD CONSTRAINT "grade_changes_grader_id_fk" FOREIGN KEY ("grader_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rubric_assessments" ADD CONSTRAINT "rubric_assessments_submission_id_fk" FOREIGN KEY ("submission_id") REFERENCES "public"."assignment_submissions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rubric_assessments" ADD CONSTRAINT "rubric_assessments_criterion_id_fk" FOREIGN KEY ("criterion_id") REFERENCES "public"."rubric_criteria"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rubric_assessments" ADD CONSTRAINT "rubric_assessments_level_id_fk" FOREIGN KEY ("level_id") REFERENCES "public"."rubric_levels"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rubric_criteria" ADD CONSTRAINT "rubric_criteria_assignment_id_fk" FOREIGN KEY ("assignment_id") REFERENCES "public"."assignments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rubric_levels" ADD CONSTRAINT "rubric_levels_criterion_id_fk" FOREIGN KEY ("criterion_id") REFERENCES "public"."rubric_criteria"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "grade_changes_assignment_submission_id_idx" ON "grade_changes" USING btree ("assignment_submission_id","created_at");--> statement-breakpoint
CREATE INDEX "grade_changes_quiz_submission_id_idx" ON "grade_changes" USING btree ("quiz_submission_id","created_at");--> statement-breakpoint
CREATE INDEX "grade_changes_grader_id_idx" ON "grade_changes" USING btree ("grader_id");--> statement-breakpoint
CREATE INDEX "rubric_assessments_criterion_id_idx" ON "rubric_assessments" USING btree ("criterion_id");--> statement-breakpoint
CREATE INDEX "rubric_assessments_level_id_idx" ON "rubric_assessments" USING btree ("level_id");--> statement-breakpoint
CREATE INDEX "quiz_submissions_open_deadline_at_idx" ON "quiz_submissions" USING btree ("deadline_at") WHERE submitted_at IS NULL AND deadline_at IS NOT NULL;--> statement-breakpoint
ALTER TABLE "assignment_submissions" ADD CONSTRAINT "assignment_submissions_penalty_percent_check" CHECK ("assignment_submissions"."penalty_percent" BETWEEN 0 AND 100);--> statement-breakpoint
ALTER TABLE "assignment_submissions" ADD CONSTRAINT "assignment_submissions_grade_version_check" CHECK ("assignment_submissions"."grade_version" >= 0);--> statement-breakpoint
ALTER TABLE "assignments" ADD CONSTRAINT "assignments_late_penalty_max_percent_check" CHECK ("assignments"."late_penalty_max_percent" BETWEEN 0 AND 100);--> statement-breakpoint
ALTER TABLE "assignments" ADD CONSTRAINT "assignments_max_file_size_bytes_check" CHECK ("assignments"."max_file_size_bytes" BETWEEN 1 AND 1073741824);--> statement-breakpoint
ALTER TABLE "assignments" ADD CONSTRAINT "assignments_passing_score_check" CHECK ("assignments"."passing_score" BETWEEN 0 AND 100);--> statement-breakpoint
ALTER TABLE "quiz_submissions" ADD CONSTRAINT "quiz_submissions_answers_sequence_check" CHECK ("quiz_submissions"."answers_sequence" >= 0);--> statement-breakpoint
ALTER TABLE "quiz_submissions" ADD CONSTRAINT "quiz_submissions_deadline_at_check" CHECK ("quiz_submissions"."deadline_at" IS NULL OR "quiz_submissions"."deadline_at" > "quiz_submissions"."started_at");--> statement-breakpoint
ALTER TABLE "quiz_submissions" ADD CONSTRAINT "quiz_submissions_question_order_array_check" CHECK (jsonb_typeof("quiz_submissions"."question_order") = 'array');--> statement-breakpoint
ALTER TABLE "quiz_submissions" ADD CONSTRAINT "quiz_submissions_results_object_check" CHECK (jsonb_typeof("quiz_submissions"."results") = 'object');--> statement-breakpoint
ALTER TABLE "quizzes" ADD CONSTRAINT "quizzes_score_policy_check" CHECK ("quizzes"."score_policy" IN ('highest', 'latest', 'average'));