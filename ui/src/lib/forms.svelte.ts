// What forms do with a failed save: put each field's message next to that field.
import { DeskError } from './api';
import { t } from './i18n.svelte';

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

/** A form's save in progress and what it got back: one place for what every form does. */
export class FormState {
  errors = $state<FormErrors>(noErrors());
  saving = $state(false);

  /** The line on top of the form: an error about no field, or "some fields need correcting". */
  get general(): string | null {
    return this.errors.general ?? (Object.keys(this.errors.fields).length ? t('form-has-errors') : null);
  }

  /** Runs `save`; a failure lands in `errors`, field by field. */
  async submit(save: () => Promise<void>): Promise<void> {
    this.saving = true;
    try {
      await save();
      this.errors = noErrors();
    } catch (e) {
      this.errors = formErrors(e);
    } finally {
      this.saving = false;
    }
  }
}
