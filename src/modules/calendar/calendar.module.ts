/**
 * The calendar module: a per-user secret iCalendar feed of due dates and quiz windows. It owns the
 * `calendar_feed_tokens` table and reads the learner's enrollments, assignments and quizzes.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { calendarRoutes } from './calendar.routes.js';
import { type CalendarServiceDependencies, createCalendarService } from './calendar.service.js';

/** Exactly what the calendar module needs from the composition root. */
export type CalendarModuleDependencies = CalendarServiceDependencies;

export const calendarModule: FastifyPluginAsyncTypebox<CalendarModuleDependencies> = async (app, deps) => {
  await app.register(calendarRoutes, { calendar: createCalendarService(deps) });
};
