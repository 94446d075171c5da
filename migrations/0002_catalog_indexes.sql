DROP INDEX "courses_status_published_at_idx";--> statement-breakpoint
DROP INDEX "courses_status_enrollment_count_idx";--> statement-breakpoint
CREATE INDEX "courses_status_title_idx" ON "courses" USING btree ("status","title","id");--> statement-breakpoint
CREATE INDEX "courses_status_published_at_idx" ON "courses" USING btree ("status","published_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "courses_status_enrollment_count_idx" ON "courses" USING btree ("status","enrollment_count" DESC NULLS FIRST,"id" DESC NULLS FIRST);