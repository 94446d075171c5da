/**
 * A UUID in its canonical text form. The pattern string is lower case, as PostgreSQL prints UUIDs,
 * for JSON Schemas (whose `pattern` takes no flags); UUID_REGEX accepts either case, as the uuid type does.
 */
export const UUID_PATTERN = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';

export const UUID_REGEX = new RegExp(UUID_PATTERN, 'i');
