/** The calendar module's public surface: what the composition root may use. */
export { type CalendarModuleDependencies, calendarModule } from './calendar.module.js';
