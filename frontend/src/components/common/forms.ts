import type { FieldValues, Path, UseFormSetError } from 'react-hook-form';
import { ApiError } from '@/services/http';

/**
 * Puts the server's field errors (problem+json `errors[].loc`) next to the matching fields.
 * Returns whatever could not be placed on a field, to show beside the submit button.
 */
export function applyServerErrors<T extends FieldValues>(
  error: unknown,
  setError: UseFormSetError<T>,
  fields: readonly string[],
): string | null {
  if (!(error instanceof ApiError)) return 'Something went wrong.';
  let placed = false;
  for (const [loc, msg] of Object.entries(error.fieldErrors)) {
    const field = fields.find((f) => loc === f || loc.startsWith(`${f}.`));
    if (field) {
      setError(field as Path<T>, { type: 'server', message: msg });
      placed = true;
    }
  }
  if (placed && error.code === 'validation_error') return null;
  return error.plainMessage;
}

/** Helper text for staff's fields: whether the customer will read what is typed there. */
export const VISIBLE_TO_CUSTOMER = 'Visible to the customer';
export const STAFF_ONLY = 'Only staff see this';

/** A refusal in words, wherever it came from. */
export function problemText(error: unknown): string {
  return error instanceof ApiError ? error.plainMessage : 'Something went wrong.';
}
