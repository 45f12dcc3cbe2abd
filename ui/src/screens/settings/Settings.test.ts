// Settings, the sync line under the sidebar, the recovery code dialog and the unlock screen's
// recovery form, over a stubbed desk: the real commands are driven in the store, CLI and window
// tests; here, what each screen shows of its answers and what it sends back.
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { BackupCheck } from '../../lib/bindings/BackupCheck';
import type { BackupFile } from '../../lib/bindings/BackupFile';
import type { BackupsPanel } from '../../lib/bindings/BackupsPanel';
import type { DeskStatus } from '../../lib/bindings/DeskStatus';
import type { SyncGlance } from '../../lib/bindings/SyncGlance';
import type { AdoptedRulebook } from '../../lib/bindings/AdoptedRulebook';
import type { RulebookPanel } from '../../lib/bindings/RulebookPanel';
import { texts } from '../../lib/i18n.svelte';
import { router } from '../../lib/router.svelte';

const file = (made_at: string, reason: BackupFile['reason']): BackupFile => ({
  path: `/media/usb/korpus-1a2b3c4d-${made_at}-${reason}.kbackup`,
  device: '1a2b3c4d',
  made_at,
  reason,
  bytes: 2_400_000,
});
const oldPanel = (): BackupsPanel => ({
  settings: { folder: '/media/usb', chosen: true, keep: 14 },
  last: { file: file('2017-11-02T09:00:00Z', 'daily').path, made_at: '2017-11-02T09:00:00Z', reason: 'daily', bytes: 2_400_000 },
  age_days: 5,
  warn: true,
  files: [file('2017-11-02T09:00:00Z', 'daily'), file('2017-11-01T09:00:00Z', 'before_migration')],
  folder_error: null,
  daily_error: null,
});
const status = (over: Partial<DeskStatus> = {}): DeskStatus => ({
  ready: true,
  creating: false,
  reason: null,
  lang: 'en',
  database: '/home/k/.local/share/korpus/korpus.db',
  recovery_code: null,
  ...over,
});
const refused = (code: string, message: string, field?: string) =>
  new DeskError({ code, message, details: field ? [{ field, code, message, text: message }] : [] });

let panel: BackupsPanel = oldPanel();
let glance: SyncGlance;
const backupNow = vi.fn<() => Promise<BackupFile>>();
const saveBackupSettings = vi.fn<(folder: string, keep: number) => Promise<unknown>>();
const verifyBackup = vi.fn<(path: string) => Promise<BackupCheck>>();
const newRecoveryCode = vi.fn<() => Promise<DeskStatus>>();
const forgetRecoveryCode = vi.fn<() => Promise<DeskStatus>>();
const unlockWithRecoveryCode = vi.fn<(code: string) => Promise<DeskStatus>>();
const saveAutoSync = vi.fn<(minutes: number) => Promise<number>>();
let rulebooks: RulebookPanel;
const importRulebook = vi.fn<(file: number[]) => Promise<AdoptedRulebook>>();
vi.mock('@tauri-apps/api/event', () => ({ listen: async () => () => {} }));
vi.mock('../../lib/api', async (original) => ({
  ...(await original<typeof import('../../lib/api')>()),
  api: {
    recoveryStatus: async () => '2017-10-30T08:15:00Z',
    newRecoveryCode: () => newRecoveryCode(),
    forgetRecoveryCode: () => forgetRecoveryCode(),
    unlockWithRecoveryCode: (code: string) => unlockWithRecoveryCode(code),
    unlock: async () => status(),
    recoverySheetPreview: async () => ({ svg: '<svg/>', pages: 1 }),
    recoverySheetSave: async () => ({ path: '/home/k/Documents/Korpus/recovery.pdf', bytes: 30_000 }),
    backupsPanel: async () => panel,
    backupNow: () => backupNow(),
    saveBackupSettings: (folder: string, keep: number) => saveBackupSettings(folder, keep),
    verifyBackup: (path: string) => verifyBackup(path),
    syncGlance: async () => glance,
    saveAutoSync: (minutes: number) => saveAutoSync(minutes),
    rulebookPanel: async () => rulebooks,
    importRulebook: (file: number[]) => importRulebook(file),
  },
}));
const { DeskError } = await import('../../lib/api');
const { default: Settings } = await import('./Settings.svelte');
const { default: RecoveryCode } = await import('./RecoveryCode.svelte');
const { default: SyncGlanceLine } = await import('../../lib/SyncGlance.svelte');
const { default: Unlock } = await import('../unlock/Unlock.svelte');

beforeEach(() => {
  panel = oldPanel();
  rulebooks = { current: '2017-pilot.4', cohort: 2017, kept: [['2017-pilot.4', 2017]] };
  glance = { enrolled: true, running: false, last_sync_at: '2017-11-06T14:05:00Z', unsent: 3, auto_minutes: 30, problem: null };
  vi.clearAllMocks();
});
afterEach(cleanup);

describe('Rulebook', () => {
  it('shows the rulebook the forms check by, takes HQ\'s file and names the new current one', async () => {
    texts.lang = 'en';
    render(Settings, { onstatus: () => {} });
    expect((await screen.findByTestId('rulebook-current')).textContent).toContain('Forms check by rulebook 2017-pilot.4 (cohort 2017)');
    importRulebook.mockImplementation(async () => {
      rulebooks = { current: '2018-cohort.1', cohort: 2018, kept: [['2017-pilot.4', 2017], ['2018-cohort.1', 2018]] };
      return { version: '2018-cohort.1', cohort: 2018, for_its_cohort: true, current: true };
    });
    const chosen = new File([new Uint8Array([40, 181, 47, 253])], '2018-cohort.1.rulebook');
    await fireEvent.change(screen.getByTestId('rulebook-file'), { target: { files: [chosen] } });
    expect((await screen.findByTestId('rulebook-taken')).textContent).toContain('cohort 2018 is now the current one');
    expect(importRulebook).toHaveBeenCalledWith([40, 181, 47, 253]);
    await waitFor(() => expect(screen.getByTestId('rulebook-current').textContent).toContain('2018-cohort.1'));
    expect(screen.getByTestId('rulebook-kept').querySelectorAll('li')).toHaveLength(2);
  });

  it('names why a file is refused under its field, in the desk\'s language, and keeps the rulebook', async () => {
    texts.lang = 'ru';
    render(Settings, { onstatus: () => {} });
    await screen.findByTestId('rulebook-current');
    importRulebook.mockRejectedValueOnce(
      refused('validation', 'свод правил 2019-future.1 написан для более новой версии Korpus', 'rulebook'),
    );
    const chosen = new File([new Uint8Array([1, 2, 3])], '2019.rulebook');
    await fireEvent.change(screen.getByTestId('rulebook-file'), { target: { files: [chosen] } });
    expect((await screen.findByTestId('error-rulebook')).textContent).toContain('2019-future.1 написан для более новой');
    expect(screen.queryByTestId('rulebook-taken')).toBeNull();
    expect(screen.getByTestId('rulebook-current').textContent).toContain('Формы проверяются по своду 2017-pilot.4');
  });
});

describe('Backups', () => {
  it('warns after days without a backup, backs up now and shows the new last one', async () => {
    texts.lang = 'en';
    render(Settings, { onstatus: () => {} });
    expect((await screen.findByTestId('backup-warning')).textContent).toContain('No backup for 5 days');
    expect(screen.getByTestId('backup-last').textContent).toContain('daily');
    expect(screen.getAllByTestId('backup-file')).toHaveLength(2);
    const made = file('2017-11-07T10:00:00Z', 'manual');
    backupNow.mockImplementation(async () => {
      panel = { ...oldPanel(), warn: false, age_days: 0, last: { file: made.path, made_at: made.made_at, reason: 'manual', bytes: made.bytes }, files: [made, ...oldPanel().files] };
      return made;
    });
    await fireEvent.click(screen.getByTestId('backup-now'));
    expect(backupNow).toHaveBeenCalledOnce();
    expect((await screen.findByTestId('backup-made')).textContent).toContain(made.path);
    await waitFor(() => expect(screen.queryByTestId('backup-warning')).toBeNull());
    expect(screen.getAllByTestId('backup-file')).toHaveLength(3);
  });

  it('verifies a backup to its counts, and names why another is refused', async () => {
    texts.lang = 'en';
    render(Settings, { onstatus: () => {} });
    verifyBackup
      .mockResolvedValueOnce({ device_id: '1a2b3c4d', schema: 19, persons: 2000, applications: 480, unsent: 7 })
      .mockRejectedValueOnce(refused('backup_damaged', 'the backup is damaged: page 12 does not read back'));
    const verify = await screen.findAllByTestId('backup-verify');
    await fireEvent.click(verify[0]);
    await fireEvent.click(verify[1]);
    const checks = await screen.findAllByTestId('backup-check');
    await waitFor(() => expect(checks).toHaveLength(2));
    expect(verifyBackup).toHaveBeenNthCalledWith(1, panel.files[0].path);
    expect(verifyBackup).toHaveBeenNthCalledWith(2, panel.files[1].path);
    expect(screen.getAllByTestId('backup-check')[0].textContent).toContain('Whole: 2,000 persons, 7 changes not yet at HQ');
    expect(screen.getAllByTestId('backup-check')[1].textContent).toContain('page 12 does not read back');
  });

  it('sends the folder and the number kept, and shows a refusal under its field', async () => {
    texts.lang = 'en';
    render(Settings, { onstatus: () => {} });
    saveBackupSettings.mockRejectedValueOnce(refused('invalid', 'between 1 and 365', 'backup_keep'));
    const keep = (await screen.findByLabelText(/Backups kept|kept/i)) as HTMLInputElement;
    await fireEvent.input(screen.getByLabelText(/folder/i), { target: { value: '/media/other' } });
    await fireEvent.input(keep, { target: { value: '400' } });
    await fireEvent.click(screen.getByTestId('backup-settings-save'));
    expect(saveBackupSettings).toHaveBeenCalledWith('/media/other', 400);
    const field = keep.closest('.field') ?? keep.parentElement!;
    await waitFor(() => expect(field.textContent).toContain('between 1 and 365'));
  });

  it('says the folder cannot be read (a USB stick not plugged in) instead of listing it', async () => {
    texts.lang = 'en';
    panel = { ...oldPanel(), files: [], folder_error: 'the folder /media/usb is not there' };
    render(Settings, { onstatus: () => {} });
    expect((await screen.findByTestId('backup-folder-error')).textContent).toContain('/media/usb is not there');
    expect(screen.queryByTestId('backup-files')).toBeNull();
  });
});

describe('Recovery code in Settings', () => {
  it('asks before making a new code and hands the desk the status that carries it', async () => {
    texts.lang = 'en';
    const onstatus = vi.fn();
    const made = status({ recovery_code: 'ABCDE-FGHJK-MNPQR-STVWX-YZ234' });
    newRecoveryCode.mockResolvedValueOnce(made);
    render(Settings, { onstatus });
    expect((await screen.findByTestId('recovery-made')).textContent).toContain('30.10.2017');
    await fireEvent.click(screen.getByTestId('recovery-new'));
    expect(newRecoveryCode).not.toHaveBeenCalled();
    await fireEvent.click(screen.getByTestId('recovery-confirm'));
    await waitFor(() => expect(onstatus).toHaveBeenCalledWith(made));
  });

  it('shows the refusal while another program holds the database, and keeps the old code', async () => {
    texts.lang = 'en';
    const onstatus = vi.fn();
    newRecoveryCode.mockRejectedValueOnce(refused('database_in_use', 'a sync or another program has the database open'));
    render(Settings, { onstatus });
    await fireEvent.click(await screen.findByTestId('recovery-new'));
    await fireEvent.click(screen.getByTestId('recovery-confirm'));
    expect((await screen.findByTestId('recovery-error')).textContent).toContain('another program has the database open');
    expect(onstatus).not.toHaveBeenCalled();
  });
});

describe('The recovery code dialog', () => {
  it('shows the code, switches language from inside, and closes only once written down', async () => {
    texts.lang = 'kk';
    const ondone = vi.fn();
    const onlang = vi.fn();
    forgetRecoveryCode.mockResolvedValueOnce(status());
    render(RecoveryCode, { code: 'ABCDE-FGHJK-MNPQR-STVWX-YZ234', ondone, onlang });
    expect(screen.getByTestId('recovery-code').textContent).toBe('ABCDE-FGHJK-MNPQR-STVWX-YZ234');
    expect(screen.getByTestId('recovery-lang-kk').getAttribute('aria-pressed')).toBe('true');
    await fireEvent.click(screen.getByTestId('recovery-lang-ru'));
    expect(onlang).toHaveBeenCalledWith('ru');
    expect(ondone).not.toHaveBeenCalled();
    await fireEvent.click(screen.getByTestId('recovery-written'));
    expect(forgetRecoveryCode).toHaveBeenCalledOnce();
    await waitFor(() => expect(ondone).toHaveBeenCalledWith(status()));
  });

  it('stays open with the reason when the desk no longer holds the code', async () => {
    texts.lang = 'en';
    const ondone = vi.fn();
    forgetRecoveryCode.mockRejectedValueOnce(refused('recovery_code_gone', 'the recovery code is no longer held'));
    render(RecoveryCode, { code: 'ABCDE-FGHJK-MNPQR-STVWX-YZ234', ondone, onlang: () => {} });
    await fireEvent.click(screen.getByTestId('recovery-written'));
    expect((await screen.findByRole('alert')).textContent).toContain('no longer held');
    expect(ondone).not.toHaveBeenCalled();
    expect(screen.getByTestId('recovery-dialog')).toBeTruthy();
  });
});

describe('Unlock', () => {
  it('opens an existing database with its recovery code, a mistyped symbol shown under the field', async () => {
    texts.lang = 'en';
    const onready = vi.fn();
    unlockWithRecoveryCode
      .mockRejectedValueOnce(refused('invalid', '«0» is not in a recovery code', 'recovery_code'))
      .mockResolvedValueOnce(status());
    render(Unlock, { status: status({ ready: false, reason: 'no key for this database in the keyring' }), onready });
    expect(screen.getByTestId('unlock-reason').textContent).toContain('no key for this database');
    const input = screen.getByLabelText(/Recovery code/i) as HTMLInputElement;
    await fireEvent.input(input, { target: { value: 'abcde-fghjk-mnpqr-stvwx-yz230' } });
    const recovery = screen.getByTestId('unlock-recovery');
    await fireEvent.submit(recovery.querySelector('form')!);
    expect(unlockWithRecoveryCode).toHaveBeenLastCalledWith('abcde-fghjk-mnpqr-stvwx-yz230');
    await waitFor(() => expect(recovery.textContent).toContain('«0» is not in a recovery code'));
    expect(onready).not.toHaveBeenCalled();
    await fireEvent.input(input, { target: { value: 'abcde-fghjk-mnpqr-stvwx-yz234' } });
    await fireEvent.submit(recovery.querySelector('form')!);
    await waitFor(() => expect(onready).toHaveBeenCalledWith(status()));
  });

  it('offers no recovery code when the passphrase creates a new database', () => {
    texts.lang = 'en';
    render(Unlock, { status: status({ ready: false, creating: true, reason: 'no keyring' }), onready: () => {} });
    expect(screen.queryByTestId('unlock-recovery')).toBeNull();
    expect(screen.getByTestId('unlock-passphrase')).toBeTruthy();
  });
});

describe('The sync line under the sidebar', () => {
  it('shows the last sync, what waits and HQ away, and opens the Sync page', async () => {
    texts.lang = 'en';
    glance = { ...glance, problem: 'HQ could not be reached' };
    router.go('home');
    render(SyncGlanceLine);
    const line = await screen.findByTestId('sync-glance');
    await waitFor(() => expect(screen.getByTestId('sync-glance-unsent').textContent).toContain('3'));
    expect(screen.getByTestId('sync-glance-last').textContent).toContain('Synced');
    expect(screen.getByTestId('sync-glance-problem').textContent).toBe('HQ unreachable');
    expect(screen.getByTestId('sync-glance-problem').getAttribute('title')).toBe('HQ could not be reached');
    await fireEvent.click(line);
    expect(router.screen).toBe('sync');
  });

  it('is not shown before the desk is enrolled', async () => {
    texts.lang = 'en';
    glance = { ...glance, enrolled: false };
    const { container } = render(SyncGlanceLine);
    await new Promise((r) => setTimeout(r, 0));
    expect(container.querySelector('[data-testid="sync-glance"]')).toBeNull();
  });
});

describe('Automatic sync in Settings', () => {
  it('saves the minutes once enrolled and shows the refusal of a number out of range under the field', async () => {
    texts.lang = 'en';
    saveAutoSync.mockRejectedValueOnce(refused('invalid', 'from 0 to 1440 minutes', 'auto_sync_minutes')).mockResolvedValueOnce(60);
    render(Settings, { onstatus: () => {} });
    const save = await screen.findByTestId('auto-sync-save');
    const minutes = document.getElementById('field-auto_sync_minutes') as HTMLInputElement;
    expect(minutes.value).toBe('30');
    await fireEvent.input(minutes, { target: { value: '2000' } });
    await fireEvent.click(save);
    expect(saveAutoSync).toHaveBeenLastCalledWith(2000);
    await waitFor(() => expect(screen.getByTestId('settings-sync').textContent).toContain('from 0 to 1440 minutes'));
    await fireEvent.input(minutes, { target: { value: '60' } });
    await fireEvent.click(save);
    expect(await screen.findByTestId('auto-sync-saved')).toBeTruthy();
  });
});
