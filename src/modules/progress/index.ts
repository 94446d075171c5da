/** The progress module's public surface: what the composition root and other modules may use. */
export { createGradedCompletion, type GradedCompletion } from './completion.js';
export { type ContentChanges, createContentChanges } from './content-changes.js';
export { createLearnerAccess, type LearnerAccess, type LearnerLessonAccess } from './learner-access.js';
export { createLearnerViews, type LearnerViews } from './learner-views.js';
export { type ProgressModuleDependencies, progressModule } from './progress.module.js';
