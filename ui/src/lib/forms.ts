// What forms do with a failed save: put each field's message next to that field.
import { DeskError } from './api';

/** Messages by field name, and the message of an error that concerns no field. */
export interface FormErrors {
  fields: { [field: string]: string };
  general: string | null;
}

export const noErrors = (): FormErrors => ({ fields: {}, general: null });

/** Splits a save's failure into per-field messages; several errors on one field are joined. */
export function formErrors(e: unknown): FormErrors {
  if (!(e instanceof DeskError)) return { fields: {}, general: String(e) };
  const fields: { [field: string]: string } = {};
  for (const d of e.error.details) {
    fields[d.field] = fields[d.field] ? `${fields[d.field]}; ${d.text}` : d.text;
  }
  return { fields, general: e.error.details.length ? null : e.error.message };
}
