/** Longest slug, suffix included (`courses_slug_format_check` fixes the alphabet, this the length). */
export const MAX_SLUG_LENGTH = 80;

/** What a slug may look like: lower-case ASCII words joined by single hyphens (the CHECK constraint's rule). */
export const SLUG_PATTERN = '^[a-z0-9]+(-[a-z0-9]+)*$';

/**
 * Shaped like a course id. `/courses/:idOrSlug` tries an id first, so a course with such a slug could
 * not be reached by it (and could shadow another course's id): never stored as a slug.
 */
const UUID_SHAPE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function looksLikeCourseId(slug: string): boolean {
  return UUID_SHAPE.test(slug);
}

/** Used when a title has no ASCII letters or digits at all (e.g. a title entirely in Japanese). */
const FALLBACK_SLUG = 'course';

// Letters that Unicode decomposition (NFKD) does not split into an ASCII letter plus marks.
const SPECIAL_LETTERS: Record<string, string> = {
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  đ: 'd',
  ð: 'd',
  ł: 'l',
  þ: 'th',
  ı: 'i',
};

function trimToLength(slug: string, maxLength: number): string {
  return slug.slice(0, maxLength).replace(/-+$/, '');
}

/**
 * The base slug of a text: ASCII-folded ("Ça va" → "ca-va", "Straße" → "strasse"), lower case, runs
 * of anything else turned into one hyphen, at most `maxLength` characters (MAX_SLUG_LENGTH by default).
 */
export function slugify(text: string, maxLength = MAX_SLUG_LENGTH): string {
  const folded = text
    .toLowerCase()
    .replace(/[ßæœøđðłþı]/g, (letter) => SPECIAL_LETTERS[letter] ?? letter)
    .normalize('NFKD')
    .replace(/\p{M}/gu, '');
  const slug = trimToLength(folded.replace(/[^a-z0-9]+/g, '-').replace(/^-+/, ''), maxLength);
  if (slug === '') return FALLBACK_SLUG;
  return looksLikeCourseId(slug) ? `${FALLBACK_SLUG}-${slug}` : slug;
}

/**
 * The n-th candidate for a base slug: the base itself for n = 1, then `base-2`, `base-3`, ...,
 * shortening the base so that the suffix still fits in MAX_SLUG_LENGTH.
 */
export function slugCandidate(base: string, n: number): string {
  if (n <= 1) return base;
  const suffix = `-${n}`;
  return `${trimToLength(base, MAX_SLUG_LENGTH - suffix.length)}${suffix}`;
}
