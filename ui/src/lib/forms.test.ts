import { describe, expect, it } from 'vitest';
import { DeskError } from './api';
import { formErrors } from './forms';

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
