import { AppError, type FieldError } from '../../shared/errors.js';

/** A `validation_failed` problem listing each bad field, as the framework's own validation does. */
export function validationError(errors: FieldError[]): AppError {
  const detail = errors.length === 1 ? 'One field is not valid.' : `${errors.length} fields are not valid.`;
  return new AppError('validation_failed', detail, { errors });
}
