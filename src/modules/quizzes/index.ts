/** The quizzes module's public surface: what the composition root and other modules may use. */
export {
  DEADLINE_GRACE_SECONDS,
  OVERDUE_BATCH_SIZE,
  submitOverdueAttempts,
} from './attempt-submission.js';
export { type QuizzesModuleDependencies, quizzesModule } from './quizzes.module.js';
