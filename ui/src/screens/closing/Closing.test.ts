// The closing screens over a stubbed desk: the real commands are driven in the store, CLI and
// window tests; here, what the reports list, the certificates list and the money screen do with
// their answers.
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CertificateLine } from '../../lib/bindings/CertificateLine';
import type { GrantContractInput } from '../../lib/bindings/GrantContractInput';
import type { GrantLine } from '../../lib/bindings/GrantLine';
import type { Holder } from '../../lib/bindings/Holder';
import type { ReportInput } from '../../lib/bindings/ReportInput';
import type { ReportLine } from '../../lib/bindings/ReportLine';
import type { ReviewInput } from '../../lib/bindings/ReviewInput';
import type { SavedBatch } from '../../lib/bindings/SavedBatch';
import { texts } from '../../lib/i18n.svelte';

const report = (kind: ReportLine['kind'], state: ReportLine['state']): ReportLine => ({
  application_id: 'app-1',
  application_name: 'Жасыл аула',
  region: '550000000',
  arm: 'A',
  kind,
  submitter: 'group',
  due_on: '2017-12-15',
  state,
  report:
    state === 'submitted'
      ? {
          id: 'r1',
          version: 3,
          cohort: 2017,
          region: '550000000',
          application_id: 'app-1',
          kind,
          submitted_by: 'group',
          submitted_on: '2017-12-14',
          status: 'submitted',
          reviewed_on: null,
          review_note: null,
        }
      : null,
});
const failed = {
  code: 'CERT_PHASE3_ATTENDED' as const,
  verdict: 'fail' as const,
  about: null,
  evidence: {},
  message: 'rule-stage-not-attended',
  text: { kk: 'Тек 4 күн', ru: 'Лишь 4 дня', en: 'Attended only 4 of 6 days' },
};
const candidate = (holder_id: string, eligible: boolean): CertificateLine => ({
  holder: 'person',
  holder_id,
  full_name: eligible ? 'Оспанова Мөлдір' : 'Әбілқайыр Ұлжан',
  region: '550000000',
  application_name: 'Жасыл аула',
  arm: 'A',
  outcomes: eligible ? [] : [failed],
  eligible,
  completed_on: eligible ? '2017-12-14' : null,
  certificate: null,
});
const issuedLine = (holder_id: string): CertificateLine => ({
  ...candidate(holder_id, true),
  full_name: 'Серікова Әсел',
  certificate: {
    id: 'c3',
    version: 1,
    cohort: 2017,
    region: '550000000',
    holder: 'person',
    holder_id,
    full_name: 'Серікова Әсел',
    arm: 'A',
    completed_on: '2017-12-14',
    number: '2017-000001',
    issued_on: '2017-12-20',
    device_id: 'd1',
    rulebook_version: '2017-pilot.3',
    outcomes: [],
    signature: 'sig',
  },
});
const grant: GrantLine = {
  application_id: 'app-1',
  application_name: 'Жасыл аула',
  region: '550000000',
  arm: 'B',
  budget: 800000,
  host_org_name: 'Жастар ресурстық орталығы',
  contract: null,
};

const submitReport = vi.fn<(application: string, input: ReportInput) => Promise<unknown>>(async () => ({}));
const reviewReport = vi.fn<(application: string, kind: string, version: number, input: ReviewInput) => Promise<unknown>>(
  async () => ({}),
);
const issueCertificate = vi.fn<(holder: Holder, id: string, on: string) => Promise<unknown>>(async () => ({}));
const saveContract = vi.fn<(application: string, version: number | null, input: GrantContractInput) => Promise<unknown>>(
  async () => ({}),
);
// The desk's progress events: the screen's listener is kept so the test can send one.
const listeners = new Map<string, (event: { payload: unknown }) => void>();
vi.mock('@tauri-apps/api/event', () => ({
  listen: async (name: string, handler: (event: { payload: unknown }) => void) => {
    listeners.set(name, handler);
    return () => listeners.delete(name);
  },
}));
let finishBatch: (batch: SavedBatch) => void = () => {};
const printCertificates = vi.fn<(region: string | null, lang: string) => Promise<SavedBatch>>(
  () => new Promise((done) => (finishBatch = done)),
);
const openPrinted = vi.fn<(path: string) => Promise<null>>(async () => null);
vi.mock('../../lib/api', async (original) => ({
  ...(await original<typeof import('../../lib/api')>()),
  api: {
    reportLines: async () => [report('financial', 'overdue'), report('programme', 'submitted')],
    submitReport: (a: string, i: ReportInput) => submitReport(a, i),
    reviewReport: (a: string, k: string, v: number, i: ReviewInput) => reviewReport(a, k, v, i),
    certificateLines: async () => [candidate('p1', false), candidate('p2', true), issuedLine('p3')],
    printCertificates: (r: string | null, l: string) => printCertificates(r, l),
    openPrinted: (p: string) => openPrinted(p),
    issueCertificate: (h: Holder, id: string, on: string) => issueCertificate(h, id, on),
    grants: async () => [grant],
    moneyTotals: async () => [],
    saveContract: (a: string, v: number | null, i: GrantContractInput) => saveContract(a, v, i),
  },
}));

const { default: Reports } = await import('./Reports.svelte');
const { default: Certificates } = await import('./Certificates.svelte');
const { default: Money } = await import('./Money.svelte');

afterEach(cleanup);

describe('Reports', () => {
  it('marks the overdue report, submits it with its kind, and reviews with the version it read', async () => {
    texts.lang = 'en';
    render(Reports);
    const rows = await screen.findAllByTestId('report-line');
    expect(rows[0].classList.contains('overdue')).toBe(true);
    expect(rows[0].textContent).toContain('Financial report');
    expect(rows[0].textContent).toContain('15.12.2017');
    await fireEvent.click(screen.getAllByTestId('report-open')[0]);
    await fireEvent.input(screen.getByTestId('report-on'), { target: { value: '16.12.2017' } });
    await fireEvent.click(screen.getByTestId('report-submit'));
    expect(submitReport).toHaveBeenCalledWith('app-1', { kind: 'financial', submitted_on: '16.12.2017' });

    await fireEvent.click((await screen.findAllByTestId('report-open'))[1]);
    await fireEvent.input(screen.getByTestId('report-note'), { target: { value: 'Чектер жоқ' } });
    await fireEvent.click(screen.getByTestId('report-return'));
    expect(reviewReport).toHaveBeenCalledWith('app-1', 'programme', 3, expect.objectContaining({ decision: 'return', note: 'Чектер жоқ' }));
  });
});

describe('Certificates', () => {
  it('says why one is not earned and issues only the earned one, in Russian', async () => {
    texts.lang = 'ru';
    render(Certificates);
    const rows = await screen.findAllByTestId('certificate-line');
    expect(rows[0].textContent).toContain('Лишь 4 дня');
    expect(rows[0].querySelector('[data-testid="certificate-issue"]')).toBeNull();
    expect(rows[1].textContent).toContain('Заслужен (завершил 14.12.2017)');
    await fireEvent.input(screen.getByTestId('certificate-on'), { target: { value: '20.12.2017' } });
    await fireEvent.click(screen.getByTestId('certificate-issue'));
    expect(issueCertificate).toHaveBeenCalledWith('person', 'p2', '20.12.2017');
  });

  it('prints every issued certificate at once, showing the desk\'s progress, then offers the folder', async () => {
    texts.lang = 'en';
    render(Certificates);
    const all = (await screen.findByTestId('print-all')) as HTMLButtonElement;
    await waitFor(() => expect(all.textContent).toContain('(1)'));
    expect(screen.getAllByTestId('certificate-print')).toHaveLength(1);
    await fireEvent.change(screen.getByTestId('batch-lang'), { target: { value: 'kk+ru' } });
    await fireEvent.click(all);
    expect(printCertificates).toHaveBeenCalledWith(null, 'kk+ru');
    expect(all.disabled).toBe(true);
    listeners.get('print-progress')?.({ payload: { done: 1, total: 1 } });
    const bar = (await screen.findByTestId('batch-progress')) as HTMLProgressElement;
    await waitFor(() => expect(bar.value).toBe(1));
    expect(screen.getByTestId('certificate-batch').textContent).toContain('1 of 1 done');
    finishBatch({ folder: '/home/k/Documents/Korpus/certificates-2017', files: 1, bytes: 33000 });
    expect((await screen.findByTestId('batch-done')).textContent).toContain(
      '1 certificate(s) saved in /home/k/Documents/Korpus/certificates-2017',
    );
    expect(screen.queryByTestId('batch-progress')).toBeNull();
    await fireEvent.click(screen.getByTestId('batch-open'));
    expect(openPrinted).toHaveBeenCalledWith('/home/k/Documents/Korpus/certificates-2017');
  });
});

describe('Money', () => {
  it('offers the budget as the sum, names the overhead and signs a new contract without a version', async () => {
    texts.lang = 'en';
    render(Money);
    await fireEvent.click(await screen.findByTestId('grant-sign'));
    expect((screen.getByTestId('contract-sum') as HTMLInputElement).value).toBe('800000');
    expect(screen.getByTestId('contract-form').textContent).toContain('15 % of the contract sum');
    await fireEvent.input(screen.getByTestId('contract-number'), { target: { value: 'ГК-17/055' } });
    await fireEvent.click(screen.getByTestId('contract-save'));
    expect(saveContract).toHaveBeenCalledWith('app-1', null, expect.objectContaining({ number: 'ГК-17/055', sum_tenge: '800000' }));
  });
});
