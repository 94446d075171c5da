/** The auth module's public surface: what the composition root and other modules may use. */
export { type AuthModuleDependencies, authModule } from './auth.module.js';
export { EMAIL_MAX_LENGTH, EMAIL_PATTERN, normalizeEmail } from './email-address.js';
export { createResetEmails } from './reset-emails.js';
export { revokeUserRefreshTokens } from './sessions.js';
export { purgeExpiredTokens, type TokenPurgeResult } from './token-purge.js';
