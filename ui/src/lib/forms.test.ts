import { describe, expect, it } from 'vitest';
import { DeskError } from './api';
import { FormState, formErrors } from './forms.svelte';
import { texts } from './i18n.svelte';

describe('formErrors', () => {
  it('puts each message under its field and joins two on one field', () => {
    const e = new DeskError({
      code: 'validation',
      message: 'IIN: ...',
      details: [
        { field: 'iin', code: 'error-check-digit', message: 'IIN: the check digit is wrong', text: 'the check digit is wrong' },
        { field: 'members', code: 'error-group-size', message: 'm', text: 'too few' },
        { field: 'members', code: 'error-duplicate-member', message: 'm', text: 'listed twice' },
      ],
    });
    const errors = formErrors(e);
    expect(errors.fields.iin).toBe('the check digit is wrong');
    expect(errors.fields.members).toBe('too few; listed twice');
    expect(errors.general).toBeNull();
  });

  it('keeps an error about no field as a general message', () => {
    const errors = formErrors(new DeskError({ code: 'stale_version', message: 'changed meanwhile', details: [] }));
    expect(errors).toEqual({ fields: {}, general: 'changed meanwhile' });
    expect(formErrors(new Error('boom')).general).toContain('boom');
  });
});

describe('FormState', () => {
  it('keeps what a failed save said and clears it when a save succeeds', async () => {
    texts.lang = 'en';
    const form = new FormState();
    const failure = new DeskError({
      code: 'validation',
      message: 'm',
      details: [{ field: 'iin', code: 'error-required', message: 'IIN: is required', text: 'is required' }],
    });
    await form.submit(async () => {
      throw failure;
    });
    expect(form.errors.fields.iin).toBe('is required');
    expect(form.general).toBe('Some fields need correcting');
    expect(form.saving).toBe(false);
    await form.submit(async () => {});
    expect(form.general).toBeNull();
    texts.lang = 'kk';
  });
});
