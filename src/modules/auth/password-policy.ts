import { Type } from 'typebox';
import type { FieldError } from '../../shared/errors.js';
import { COMMON_PASSWORDS } from './common-passwords.js';

export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 256;

/** A password being set (register, change, reset): the length part of the policy, for the route schema. */
export const NewPasswordSchema = Type.String({
  minLength: PASSWORD_MIN_LENGTH,
  maxLength: PASSWORD_MAX_LENGTH,
  description: `${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters, not a commonly used password.`,
});

/**
 * The whole policy (NIST SP 800-63B style: length plus a block list, no composition rules). Length is
 * checked again here, in code points as the schema counts them, so callers that skip the schema are
 * still covered. Returns the problems for `field`, none when the password is acceptable.
 */
export function passwordPolicyErrors(
  password: string,
  field: string,
  context: { email?: string } = {},
): FieldError[] {
  const length = [...password.normalize('NFC')].length;
  if (password.trim() === '') {
    return [{ field, message: 'must not consist of spaces only' }];
  }
  if (length < PASSWORD_MIN_LENGTH) {
    return [{ field, message: `must be at least ${PASSWORD_MIN_LENGTH} characters long` }];
  }
  if (length > PASSWORD_MAX_LENGTH) {
    return [{ field, message: `must be at most ${PASSWORD_MAX_LENGTH} characters long` }];
  }
  const lowered = password.normalize('NFC').toLowerCase();
  if (COMMON_PASSWORDS.has(lowered)) {
    return [{ field, message: 'is too common; choose a less predictable password' }];
  }
  if (context.email !== undefined) {
    const localPart = context.email.slice(0, context.email.lastIndexOf('@'));
    if (lowered === context.email || lowered === localPart) {
      return [{ field, message: 'must not be your email address' }];
    }
  }
  return [];
}
