// The grievance log over a stubbed desk: the real commands are driven in the store, CLI and
// window tests; here, what the log does with their answers.
import { cleanup, fireEvent, render, screen } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Grievance } from '../../lib/bindings/Grievance';
import type { GrievanceLine } from '../../lib/bindings/GrievanceLine';
import type { GrievanceStepInput } from '../../lib/bindings/GrievanceStepInput';
import type { GrievanceView } from '../../lib/bindings/GrievanceView';
import { texts } from '../../lib/i18n.svelte';

const grievance = (id: string, status: Grievance['status'], text: string) => ({
  id,
  version: 1,
  cohort: 2017,
  region: '550000000',
  received_on: '2017-05-02',
  channel: 'phone' as const,
  kind: 'complaint' as const,
  category: 'training' as const,
  anonymous: true,
  from_name: null,
  from_contact: null,
  application_id: null,
  mentor_id: null,
  text,
  status,
  acknowledged_on: status === 'received' ? null : '2017-05-03',
  assigned_to: status === 'received' ? null : 'Серікова А.',
  resolved_on: status === 'resolved' ? '2017-05-04' : null,
  resolution: status === 'resolved' ? 'Шешілді' : null,
  closed_on: null,
  reopened_on: null,
});
const late: GrievanceLine = {
  grievance: grievance('g1', 'received', 'Семинар туралы хабарландыру кеш келді'),
  deadlines: { acknowledge_by: '2017-05-05', resolve_by: '2017-05-24', overdue: 'acknowledgement', days_late: 2 },
};
const done: GrievanceLine = {
  grievance: grievance('g2', 'resolved', 'Шәкіртақы қашан?'),
  deadlines: { acknowledge_by: '2017-05-05', resolve_by: '2017-05-24', overdue: null, days_late: 0 },
};
const view: GrievanceView = { ...late, history: [], application_name: null, mentor_name: null };

const grievanceStep = vi.fn<(id: string, version: number, input: GrievanceStepInput) => Promise<GrievanceView>>(
  async () => view,
);
vi.mock('../../lib/api', async (original) => ({
  ...(await original<typeof import('../../lib/api')>()),
  api: {
    grievances: async () => [late, done],
    grievance: async () => view,
    grievanceStep: (id: string, version: number, input: GrievanceStepInput) => grievanceStep(id, version, input),
    recordGrievance: async () => late,
  },
}));

const { default: Grievances } = await import('./Grievances.svelte');

afterEach(cleanup);

describe('Grievances', () => {
  it('marks the overdue one and offers only the steps its status allows', async () => {
    texts.lang = 'en';
    render(Grievances);
    const rows = await screen.findAllByTestId('grievance-line');
    expect(rows[0].classList.contains('overdue')).toBe(true);
    expect(rows[0].textContent).toContain('Not acknowledged in time (+2)');
    expect(rows[1].classList.contains('overdue')).toBe(false);
    expect(rows[1].textContent).toContain('24.05.2017');
    await fireEvent.click(screen.getAllByTestId('grievance-open')[0]);
    const step = (await screen.findByTestId('grievance-step')) as HTMLSelectElement;
    expect([...step.options].map((o) => o.value)).toEqual(['', 'acknowledge', 'assign']);
  });

  it('puts a refused step’s reason next to its field and sends the version it read', async () => {
    texts.lang = 'en';
    const { DeskError } = await import('../../lib/api');
    grievanceStep.mockRejectedValueOnce(
      new DeskError({
        code: 'validation',
        message: 'Note: is required',
        details: [{ field: 'note', code: 'error-required', message: 'Note: is required', text: 'is required' }],
      }),
    );
    render(Grievances);
    await fireEvent.click((await screen.findAllByTestId('grievance-open'))[0]);
    const step = (await screen.findByTestId('grievance-step')) as HTMLSelectElement;
    await fireEvent.change(step, { target: { value: 'assign' } });
    await fireEvent.click(screen.getByTestId('grievance-step-save'));
    expect((await screen.findByTestId('error-note')).textContent).toContain('is required');
    expect(grievanceStep).toHaveBeenCalledWith('g1', 1, expect.objectContaining({ step: 'assign', note: null }));
  });
});
