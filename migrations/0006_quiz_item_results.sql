CREATE TABLE "quiz_item_results" (
	"submission_id" uuid NOT NULL,
	"quiz_id" uuid NOT NULL,
	"question_id" uuid NOT NULL,
	"points" double precision NOT NULL,
	"max_points" double precision NOT NULL,
	"correct" boolean,
	CONSTRAINT "quiz_item_results_pkey" PRIMARY KEY("submission_id","question_id"),
	CONSTRAINT "quiz_item_results_points_check" CHECK ("quiz_item_results"."points" >= 0),
	CONSTRAINT "quiz_item_results_max_points_check" CHECK ("quiz_item_results"."max_points" >= 0),
	CONSTRAINT "quiz_item_results_points_max_check" CHECK ("quiz_item_results"."points" <= "quiz_item_results"."max_points")
);
--> statement-breakpoint
-- Backfill: one row per question of every attempt submitted so far, from its results (the values the
-- application writes at submission and grading). Before the foreign key and the index, so they are
-- checked and built once over the loaded rows instead of row by row.
INSERT INTO "quiz_item_results" ("submission_id", "quiz_id", "question_id", "points", "max_points", "correct")
SELECT s."id", s."quiz_id", r.key::uuid, (r.value->>'points')::float8, (r.value->>'maxPoints')::float8,
       (r.value->>'correct')::boolean
  FROM "quiz_submissions" AS s
  CROSS JOIN LATERAL jsonb_each(s."results") AS r
 WHERE s."submitted_at" IS NOT NULL;--> statement-breakpoint
ALTER TABLE "quiz_item_results" ADD CONSTRAINT "quiz_item_results_submission_id_fk" FOREIGN KEY ("submission_id") REFERENCES "public"."quiz_submissions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "quiz_item_results_quiz_id_idx" ON "quiz_item_results" USING btree ("quiz_id");