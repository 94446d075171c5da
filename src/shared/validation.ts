import { AppError, type FieldError } from './errors.js';

/** A 400 `validation_failed` listing each bad field, the same shape as the schema validator's. */
export function validationFailed(errors: FieldError[]): AppError {
  return new AppError(
    'validation_failed',
    `${errors.length === 1 ? 'One field is' : `${errors.length} fields are`} not valid.`,
    { errors },
  );
}
