// A mentor's work over a stubbed desk: the real commands are driven in the store, CLI and window
// tests; here, what the page does with their answers.
import { cleanup, fireEvent, render, screen } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { MentorSessionInput } from '../../lib/bindings/MentorSessionInput';
import type { MentorWork } from '../../lib/bindings/MentorWork';
import { texts } from '../../lib/i18n.svelte';

const work = {
  mentor: { id: 'm1', version: 3 },
  certification: null,
  assignments: [
    {
      assignment: {
        id: 'a1',
        version: 1,
        cohort: 2017,
        region: '550000000',
        mentor_id: 'm1',
        application_id: 'app1',
        assigned_on: '2017-07-14',
        ended_on: null,
        end_reason: null,
      },
      application_name: 'Жасыл аула',
      members: [
        ['p1', 'Сәрсенбаева Әйгерім'],
        ['p2', 'Ким Ольга'],
      ],
    },
  ],
  sessions: [],
  compliance: [
    {
      month: '2017-08',
      meetings: 1,
      minutes: 1170,
      without_protocol: 0,
      groups: [{ application_id: 'app1', meetings: 1, enough: false }],
      status: 'not_compliant',
      payable: false,
      outcomes: [
        {
          code: 'MENTOR_HOURS_PER_MONTH',
          verdict: 'fail',
          about: null,
          evidence: {},
          message: 'rule-hours-short',
          text: { kk: 'Тек 19:30 сағат сессия.', ru: 'Только 19:30 часов сессий.', en: 'Only 19:30 hours.' },
        },
      ],
    },
  ],
} as unknown as MentorWork;

const recordSession = vi.fn<(mentor: string, input: MentorSessionInput) => Promise<object>>(async () => ({}));
vi.mock('../../lib/api', async (original) => ({
  ...(await original<typeof import('../../lib/api')>()),
  api: {
    mentorWork: async () => work,
    recordSession: (mentor: string, input: MentorSessionInput) => recordSession(mentor, input),
  },
}));

const { default: MentorWorkView } = await import('./MentorWork.svelte');

afterEach(cleanup);

describe('MentorWork', () => {
  it('shows each month’s status with its reasons in the user’s language', async () => {
    texts.lang = 'kk';
    render(MentorWorkView, { id: 'm1', onchange: () => {} });
    const month = await screen.findByTestId('month-2017-08');
    expect(month.textContent).toContain('19:30');
    expect(month.textContent).toContain('Талаптар орындалмады');
    expect(month.textContent).toContain('Тек 19:30 сағат сессия.');
    const group = screen.getByTestId('group-meetings');
    expect(group.textContent).toContain('Жасыл аула: 1');
    expect(group.classList.contains('short')).toBe(true);
    texts.lang = 'ru';
    expect((await screen.findByTestId('month-2017-08')).textContent).toContain('Только 19:30 часов сессий.');
  });

  it('offers the chosen sub-project’s members and sends those ticked, keeping the sub-project after a save', async () => {
    texts.lang = 'en';
    render(MentorWorkView, { id: 'm1', onchange: () => {} });
    const select = (await screen.findByTestId('session-application')) as HTMLSelectElement;
    expect(screen.queryAllByRole('checkbox')).toHaveLength(0);
    await fireEvent.change(select, { target: { value: 'app1' } });
    await fireEvent.click(await screen.findByRole('checkbox', { name: 'Ким Ольга' }));
    await fireEvent.input(screen.getByTestId('session-length'), { target: { value: '1:30' } });
    await fireEvent.click(screen.getByTestId('session-save'));
    expect(recordSession).toHaveBeenCalledWith('m1', expect.objectContaining({ application_id: 'app1', attendees: ['p2'], length: '1:30' }));
    await vi.waitFor(() => expect((screen.getByTestId('session-length') as HTMLInputElement).value).toBe(''));
    expect(select.value).toBe('app1');
  });
});
