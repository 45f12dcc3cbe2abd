// The training calendar over a stubbed desk: the real commands are driven in the store, CLI and
// window tests; here, what the screen does with their answers.
import { cleanup, fireEvent, render, screen } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AttendanceMark } from '../../lib/bindings/AttendanceMark';
import type { Record } from '../../lib/bindings/Record';
import type { Roster } from '../../lib/bindings/Roster';
import type { TrainingEvent } from '../../lib/bindings/TrainingEvent';
import { texts } from '../../lib/i18n.svelte';

const event: Record<TrainingEvent> = {
  id: 'e1',
  version: 1,
  cohort: 2017,
  region: '550000000',
  stage: 'phase1_beneficiaries',
  dates: ['2017-07-13', '2017-07-14'],
  hours_per_day: 6,
  venue: 'Павлодар, жастар орталығы',
  trainers: null,
  notes: null,
};
const line = (id: string, name: string, marks: (boolean | null)[]) => ({
  attendee: 'person' as const,
  attendee_id: id,
  name,
  iin: '970203450011',
  group: 'Жасыл аула',
  arm: 'A' as const,
  marks,
});
const roster: Roster = {
  event,
  lines: [line('p1', 'Сәрсенбаева Әйгерім', [false, null]), line('p2', 'Ким Ольга', [null, null])],
};

const recordAttendance = vi.fn<(event: string, day: number, marks: AttendanceMark[]) => Promise<Roster>>(
  async () => roster,
);
vi.mock('../../lib/api', async (original) => ({
  ...(await original<typeof import('../../lib/api')>()),
  api: {
    trainingEvents: async () => [event],
    planTraining: async () => [],
    roster: async () => roster,
    recordAttendance: (e: string, d: number, m: AttendanceMark[]) => recordAttendance(e, d, m),
    editTrainingEvent: async () => event,
  },
}));

const { default: Training } = await import('./Training.svelte');

afterEach(cleanup);

describe('Training', () => {
  it('opens a day with its marks, a new day with everyone present, and saves the whole sheet', async () => {
    texts.lang = 'en';
    render(Training);
    await fireEvent.click(await screen.findByText('Phase I: beneficiaries'));
    await screen.findByTestId('attendance-sheet');
    // Day 1 was marked: Әйгерім absent, Ольга not marked yet (present by default).
    const boxes = () => screen.getAllByRole('checkbox') as HTMLInputElement[];
    expect(boxes().map((b) => b.checked)).toEqual([false, true]);
    // Day 2 has no marks: everyone starts present; one click marks Ольга absent.
    await fireEvent.click(screen.getByRole('tab', { name: /Day 2/ }));
    expect(boxes().map((b) => b.checked)).toEqual([true, true]);
    await fireEvent.click(screen.getByRole('checkbox', { name: 'Ким Ольга' }));
    await fireEvent.click(screen.getByTestId('sheet-save'));
    expect(recordAttendance).toHaveBeenCalledWith('e1', 2, [
      { attendee_id: 'p1', present: true },
      { attendee_id: 'p2', present: false },
    ]);
  });

  it('shows why a sheet was refused', async () => {
    texts.lang = 'en';
    const { DeskError } = await import('../../lib/api');
    recordAttendance.mockRejectedValueOnce(
      new DeskError({ code: 'validation', message: 'Day: 14.07.2017 is in the future', details: [] }),
    );
    render(Training);
    await fireEvent.click(await screen.findByText('Phase I: beneficiaries'));
    await fireEvent.click(await screen.findByTestId('sheet-save'));
    expect((await screen.findByTestId('sheet-error')).textContent).toContain('14.07.2017 is in the future');
  });
});
