/** The auth module's public surface: what the composition root and other modules may use. */
export { authRoutes } from './auth.routes.js';
export { createResetEmails } from './reset-emails.js';
export { revokeUserRefreshTokens } from './sessions.js';
