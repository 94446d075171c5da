/** The assignments module's public surface: what the composition root and other modules may use. */
export { type AssignmentsModuleDependencies, assignmentsModule } from './assignments.module.js';
export { type DueReminderDependencies, sendDueReminders } from './due-reminders.js';
export { countedScore, latenessAt } from './late-penalty.js';
