/** The gradebook module's public surface: what the composition root and other modules may use. */
export {
  COUNTED_ASSIGNMENT_ATTEMPT,
  COUNTED_ASSIGNMENT_POINTS,
  COUNTED_QUIZ_ATTEMPT,
  countedQuizPercent,
  QUIZ_MAX_POINTS,
} from './counted-scores.js';
export { type GradebookModuleDependencies, gradebookModule } from './gradebook.module.js';
export { createGradebookPages, type GradebookPages } from './gradebook-pages.js';
