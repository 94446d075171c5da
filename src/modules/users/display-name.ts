import type { FieldError } from '../../shared/errors.js';

/**
 * Characters that render as nothing: format characters (zero-width spaces and joiners, bidirectional
 * marks), separators, controls, and the fillers and blanks that some scripts draw as empty space.
 */
const INVISIBLE = /[\p{Cf}\p{Z}\p{Cc}\u115F\u1160\u3164\uFFA0\u2800\u180E]/gu;

/** Bidirectional embeddings, overrides, isolates and marks: at the start they reorder what follows (and what precedes the name on a page). */
const LEADING_BIDI_CONTROL = /^[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/;

/** The name as stored (trimmed, NFC), or the reason it cannot be a display name. */
export function checkDisplayName(raw: string, field: string): { name: string } | { error: FieldError } {
  const name = raw.trim().normalize('NFC');
  if (name === '') return { error: { field, message: 'must not be blank' } };
  if (name.replace(INVISIBLE, '') === '') {
    return { error: { field, message: 'must contain visible characters' } };
  }
  if (LEADING_BIDI_CONTROL.test(name)) {
    return { error: { field, message: 'must not begin with a bidirectional control character' } };
  }
  return { name };
}
