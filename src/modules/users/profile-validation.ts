import type { FieldError } from '../../shared/errors.js';

/**
 * Checks the schema cannot express: a real IANA zone, a well-formed BCP 47 tag, a URL that parses.
 * Each returns the canonical form to store, or undefined when the value is not valid.
 */

export function canonicalTimeZone(value: string): string | undefined {
  try {
    // Throws RangeError for unknown zones; resolves case ("europe/paris" → "Europe/Paris").
    return new Intl.DateTimeFormat('en', { timeZone: value }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

export function canonicalLocale(value: string): string | undefined {
  try {
    const [canonical] = Intl.getCanonicalLocales(value);
    return canonical;
  } catch {
    return undefined;
  }
}

export function isWebUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
}

export interface ProfileChanges {
  headline?: string | null;
  bio?: string | null;
  avatarUrl?: string | null;
  websiteUrl?: string | null;
  socialLinks?: Record<string, string>;
  timezone?: string;
  locale?: string;
}

/**
 * Validates and normalises a profile update that already passed the route schema (types, lengths,
 * known networks). Empty texts clear a field. Every bad field is listed, with its JSON pointer.
 */
export function normaliseProfileChanges(input: ProfileChanges): {
  changes: ProfileChanges;
  errors: FieldError[];
} {
  const errors: FieldError[] = [];
  const changes: ProfileChanges = {};

  for (const field of ['headline', 'bio'] as const) {
    const value = input[field];
    if (value === undefined) continue;
    const text = value ?? '';
    // A headline is one line, so its spaces are trimmed; a bio keeps its formatting.
    changes[field] = text.trim() === '' ? null : field === 'headline' ? text.trim() : text;
  }

  for (const field of ['avatarUrl', 'websiteUrl'] as const) {
    const value = input[field];
    if (value === undefined) continue;
    if (value !== null && !isWebUrl(value)) {
      errors.push({ field: `/body/${field}`, message: 'must be an http or https URL' });
    }
    changes[field] = value;
  }

  if (input.socialLinks !== undefined) {
    for (const [network, url] of Object.entries(input.socialLinks)) {
      if (!isWebUrl(url)) {
        errors.push({ field: `/body/socialLinks/${network}`, message: 'must be an http or https URL' });
      }
    }
    changes.socialLinks = input.socialLinks;
  }

  if (input.timezone !== undefined) {
    const timezone = canonicalTimeZone(input.timezone);
    if (timezone === undefined) {
      errors.push({
        field: '/body/timezone',
        message: 'must be an IANA time zone name such as Europe/Paris or UTC',
      });
    } else {
      changes.timezone = timezone;
    }
  }

  if (input.locale !== undefined) {
    const locale = canonicalLocale(input.locale);
    if (locale === undefined) {
      errors.push({ field: '/body/locale', message: 'must be a BCP 47 language tag such as en or pt-BR' });
    } else {
      changes.locale = locale;
    }
  }

  return { changes, errors };
}
