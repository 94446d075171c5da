/**
 * Declared security of an operation (OpenAPI `security`). Every operation states one: clients and
 * the reference UI read it to know which calls need a token, and the authorization matrix checks
 * that the routes behave as declared.
 */
export type SecurityRequirements = Array<Record<string, string[]>>;

/** No authentication: a token, if sent, is not looked at. */
export const PUBLIC: SecurityRequirements = [];

/** A bearer access token is required (401 without one). */
export const BEARER: SecurityRequirements = [{ bearerAuth: [] }];

/** Anonymous, or a bearer token that, when sent, must be valid (an empty requirement makes it optional). */
export const OPTIONAL_BEARER: SecurityRequirements = [{}, { bearerAuth: [] }];
