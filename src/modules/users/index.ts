/** The users module's public surface: what the composition root and other modules may use. */
export { type Accounts, createAccounts, type SessionUser, sessionUserColumns } from './accounts.js';
export { checkDisplayName } from './display-name.js';
export { createUserCache, type UserCache } from './user-cache.js';
export { toUserView, type UserRow, type UserView, userColumns } from './user-view.js';
export { type UsersModuleDependencies, usersModule } from './users.module.js';
export { EXAMPLE_USER, UserSchema } from './users.schemas.js';
