// The screening view over a stubbed desk: the real commands are driven in the window tests
// (tests/e2e); here, what the view does with their answers.
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Evaluation } from '../../lib/bindings/Evaluation';
import type { ScreeningLine } from '../../lib/bindings/ScreeningLine';
import { texts } from '../../lib/i18n.svelte';

const lines: ScreeningLine[] = [
  { subject: 'application', subject_id: 'a1', label: 'Жасыл аула', region: '550000000', result: 'pass', failed: [], new: true },
  {
    subject: 'host_org',
    subject_id: 'h1',
    label: '«Жастар» ҚБ',
    region: '550000000',
    result: 'fail',
    failed: ['HOST_ORG_CHARTER'],
    new: false,
  },
];
const evaluation: Evaluation = {
  subject: 'host_org',
  subject_id: 'h1',
  rulebook_version: '2017-pilot.3',
  inputs: {},
  result: 'fail',
  outcomes: [
    {
      code: 'HOST_ORG_CHARTER',
      verdict: 'fail',
      about: null,
      evidence: {},
      message: 'rule-unconfirmed',
      text: { kk: 'Әлі расталмаған.', ru: 'Ещё не подтверждено.', en: 'Not confirmed yet.' },
    },
  ],
};

const screenCohort = vi.fn(async () => lines);
// The desk's events: the screen's listener is kept so the test can send one.
const listeners = new Map<string, (event: { payload: unknown }) => void>();
vi.mock('@tauri-apps/api/event', () => ({
  listen: async (name: string, handler: (event: { payload: unknown }) => void) => {
    listeners.set(name, handler);
    return () => listeners.delete(name);
  },
}));
const explain = vi.fn<(subject: string, id: string) => Promise<Evaluation>>(async () => evaluation);
vi.mock('../../lib/api', async (original) => ({
  ...(await original<typeof import('../../lib/api')>()),
  api: { screenCohort: () => screenCohort(), explain: (subject: string, id: string) => explain(subject, id) },
}));

const { default: Screening } = await import('./Screening.svelte');

afterEach(cleanup);

describe('Screening', () => {
  it('runs the cohort, counts what failed, and shows a subject’s reasons in the user’s language', async () => {
    texts.lang = 'kk';
    render(Screening);
    await fireEvent.click(screen.getByTestId('screen-run'));
    expect((await screen.findByTestId('screening-summary')).textContent).toContain('Тексерілді: 2, өтпеді: 1, қазір тексерілді: 1.');
    expect(screen.getByText('HOST_ORG_CHARTER', { selector: 'td' })).toBeTruthy();
    await fireEvent.click(screen.getByTestId('screening-h1'));
    const reason = await screen.findByTestId('outcome-HOST_ORG_CHARTER');
    expect(explain).toHaveBeenCalledWith('host_org', 'h1');
    expect(reason.textContent).toContain('Әлі расталмаған.');
    texts.lang = 'en';
    expect((await screen.findByTestId('outcome-HOST_ORG_CHARTER')).textContent).toContain('Not confirmed yet.');
  });

  it('shows why the run failed and keeps no stale lines', async () => {
    texts.lang = 'en';
    screenCohort.mockRejectedValueOnce(new Error('the database is locked'));
    render(Screening);
    await fireEvent.click(screen.getByTestId('screen-run'));
    expect((await screen.findByRole('alert')).textContent).toContain('the database is locked');
    expect(screen.queryByTestId('screening-lines')).toBeNull();
  });

  it('shows how far a long screening has come, then the summary', async () => {
    texts.lang = 'en';
    let finish: (done: ScreeningLine[]) => void = () => {};
    screenCohort.mockImplementationOnce(() => new Promise((done) => (finish = done)));
    render(Screening);
    await fireEvent.click(screen.getByTestId('screen-run'));
    listeners.get('screening-progress')?.({ payload: { done: 100, total: 250 } });
    expect((await screen.findByTestId('screening-progress')).textContent).toContain('100 of 250 checked');
    finish(lines);
    expect((await screen.findByTestId('screening-summary')).textContent).toContain('2 checked');
    await waitFor(() => expect(screen.queryByTestId('screening-progress')).toBeNull());
  });

  it('builds a large cohort’s table a page at a time', async () => {
    texts.lang = 'en';
    const many: ScreeningLine[] = Array.from({ length: 450 }, (_, i) => ({ ...lines[0], subject_id: `a${i}` }));
    screenCohort.mockResolvedValueOnce(many);
    render(Screening);
    await fireEvent.click(screen.getByTestId('screen-run'));
    expect((await screen.findByTestId('screening-summary')).textContent).toContain('450 checked');
    expect(screen.getAllByTestId(/^screening-a\d+$/)).toHaveLength(200);
    const more = screen.getByTestId('screening-more');
    expect(more.textContent).toContain('Show 200 more (250 not shown)');
    await fireEvent.click(more);
    expect(screen.getAllByTestId(/^screening-a\d+$/)).toHaveLength(400);
    expect(screen.getByTestId('screening-more').textContent).toContain('Show 50 more (50 not shown)');
    await fireEvent.click(screen.getByTestId('screening-more'));
    expect(screen.getAllByTestId(/^screening-a\d+$/)).toHaveLength(450);
    expect(screen.queryByTestId('screening-more')).toBeNull();
  });
});
