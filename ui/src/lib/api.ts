// The desk's commands, typed by the bindings generated from the Rust types.
import { invoke, type InvokeArgs, type InvokeOptions } from '@tauri-apps/api/core';
import { listen } from '@tauri-apps/api/event';
import type { ApplicationInput } from './bindings/ApplicationInput';
import type { WithdrawalInput } from './bindings/WithdrawalInput';
import type { AttachDocument } from './bindings/AttachDocument';
import type { DocumentOwner } from './bindings/DocumentOwner';
import type { DocumentsView } from './bindings/DocumentsView';
import type { Entity } from './bindings/Entity';
import type { HistoryEntry } from './bindings/HistoryEntry';
import type { SupportingDocument } from './bindings/SupportingDocument';
import type { Verification } from './bindings/Verification';
import type { ExportedFile } from './bindings/ExportedFile';
import type { ApplicationView } from './bindings/ApplicationView';
import type { DeskStatus } from './bindings/DeskStatus';
import type { BackupCheck } from './bindings/BackupCheck';
import type { RulebookPanel } from './bindings/RulebookPanel';
import type { AdoptedRulebook } from './bindings/AdoptedRulebook';
import type { BackupFile } from './bindings/BackupFile';
import type { BackupSettings } from './bindings/BackupSettings';
import type { BackupsPanel } from './bindings/BackupsPanel';
import type { Home } from './bindings/Home';
import type { HostOrg } from './bindings/HostOrg';
import type { HostOrgInput } from './bindings/HostOrgInput';
import type { DeskCommand, DeskEvent } from './bindings/DeskCommand';
import type { ErrorReport } from './bindings/ErrorReport';
import type { Lang } from './bindings/Lang';
import type { ListQuery } from './bindings/ListQuery';
import type { Mentor } from './bindings/Mentor';
import type { MentorInput } from './bindings/MentorInput';
import type { Page } from './bindings/Page';
import type { Person } from './bindings/Person';
import type { PersonInput } from './bindings/PersonInput';
import type { Record } from './bindings/Record';
import type { Certificate } from './bindings/Certificate';
import type { CertificateLine } from './bindings/CertificateLine';
import type { Document } from './bindings/Document';
import type { Preview } from './bindings/Preview';
import type { Saved } from './bindings/Saved';
import type { SavedBatch } from './bindings/SavedBatch';
import type { GrantContract } from './bindings/GrantContract';
import type { GrantContractInput } from './bindings/GrantContractInput';
import type { GrantLine } from './bindings/GrantLine';
import type { Holder } from './bindings/Holder';
import type { MoneyTotals } from './bindings/MoneyTotals';
import type { OutreachEvent } from './bindings/OutreachEvent';
import type { OutreachInput } from './bindings/OutreachInput';
import type { OutreachTotals } from './bindings/OutreachTotals';
import type { ReportInput } from './bindings/ReportInput';
import type { ReportLine } from './bindings/ReportLine';
import type { ReviewInput } from './bindings/ReviewInput';
import type { ScholarshipRoll } from './bindings/ScholarshipRoll';
import type { SubprojectReport } from './bindings/SubprojectReport';
import type { Reference } from './bindings/Reference';
import type { SubProjectApplication } from './bindings/SubProjectApplication';
import type { SyncOutcome } from './bindings/SyncOutcome';
import type { SyncPanel } from './bindings/SyncPanel';
import type { SyncGlance } from './bindings/SyncGlance';
import type { SyncProgress } from './bindings/SyncProgress';
import type { Balance } from './bindings/Balance';
import type { CommissionDecision } from './bindings/CommissionDecision';
import type { CommissionDecisionInput } from './bindings/CommissionDecisionInput';
import type { CommissionMember } from './bindings/CommissionMember';
import type { CommissionMemberInput } from './bindings/CommissionMemberInput';
import type { Evaluation } from './bindings/Evaluation';
import type { Indicators } from './bindings/Indicators';
import type { LotteryCheck } from './bindings/LotteryCheck';
import type { LotteryDrawInput } from './bindings/LotteryDrawInput';
import type { LotteryRecord } from './bindings/LotteryRecord';
import type { Ranking } from './bindings/Ranking';
import type { Score } from './bindings/Score';
import type { ScoreInput } from './bindings/ScoreInput';
import type { ScreeningLine } from './bindings/ScreeningLine';
import type { Subject } from './bindings/Subject';
import type { DecisionInput } from './bindings/DecisionInput';
import type { HostOrgDecision } from './bindings/HostOrgDecision';
import type { MentorDecision } from './bindings/MentorDecision';
import type { MentorInterview } from './bindings/MentorInterview';
import type { MentorInterviewInput } from './bindings/MentorInterviewInput';
import type { MentorSelection } from './bindings/MentorSelection';
import type { AttendanceMark } from './bindings/AttendanceMark';
import type { GrievanceFilter } from './bindings/GrievanceFilter';
import type { GrievanceInput } from './bindings/GrievanceInput';
import type { GrievanceLine } from './bindings/GrievanceLine';
import type { GrievanceStepInput } from './bindings/GrievanceStepInput';
import type { GrievanceView } from './bindings/GrievanceView';
import type { MentorAssignment } from './bindings/MentorAssignment';
import type { MentorSession } from './bindings/MentorSession';
import type { MentorSessionInput } from './bindings/MentorSessionInput';
import type { MentorWork } from './bindings/MentorWork';
import type { ProtocolInput } from './bindings/ProtocolInput';
import type { Roster } from './bindings/Roster';
import type { TrainingEvent } from './bindings/TrainingEvent';
import type { TrainingEventInput } from './bindings/TrainingEventInput';
import type { WorkProgress } from './bindings/WorkProgress';

/** A command's failure, carrying the desk's `{code, message, details}`. */
export class DeskError extends Error {
  readonly error: ErrorReport;
  constructor(error: ErrorReport) {
    super(error.message);
    this.error = error;
  }
}

function isErrorReport(e: unknown): e is ErrorReport {
  return typeof e === 'object' && e !== null && 'code' in e && 'message' in e && 'details' in e;
}

async function call<T>(command: DeskCommand, args?: InvokeArgs, options?: InvokeOptions): Promise<T> {
  try {
    return await invoke<T>(command, args, options);
  } catch (e) {
    throw new DeskError(isErrorReport(e) ? e : { code: 'ipc', message: String(e), details: [] });
  }
}

/** Lists: a search when `query` has text, else a page from `offset`. */
export type Lister<T> = (query: string, offset: number, limit: number) => Promise<Page<T>>;

const list =
  <T>(command: DeskCommand, region: () => string | null): Lister<T> =>
  (query, offset, limit) =>
    call<Page<T>>(command, { ask: { query, region: region(), offset, limit } satisfies ListQuery });

export const api = {
  status: () => call<DeskStatus>('status'),
  unlock: (passphrase: string) => call<DeskStatus>('unlock', { passphrase }),
  unlockWithRecoveryCode: (code: string) => call<DeskStatus>('unlock_with_recovery_code', { code }),
  newRecoveryCode: () => call<DeskStatus>('new_recovery_code'),
  forgetRecoveryCode: () => call<DeskStatus>('forget_recovery_code'),
  /** When the recovery code was made (RFC 3339), or null. */
  recoveryStatus: () => call<string | null>('recovery_status'),
  recoverySheetPreview: (lang: string) => call<Preview>('recovery_sheet_preview', { lang }),
  recoverySheetSave: (lang: string) => call<Saved>('recovery_sheet_save', { lang }),
  syncGlance: () => call<SyncGlance>('sync_glance'),
  saveAutoSync: (minutes: number) => call<number>('save_auto_sync', { minutes }),
  backupsPanel: () => call<BackupsPanel>('backups_panel'),
  backupNow: () => call<BackupFile>('backup_now'),
  saveBackupSettings: (folder: string, keep: number) =>
    call<BackupSettings>('save_backup_settings', { folder, keep }),
  verifyBackup: (path: string) => call<BackupCheck>('verify_backup', { path }),
  rulebookPanel: () => call<RulebookPanel>('rulebook_panel'),
  /** Takes HQ's signed file of a rulebook, its bytes as opened in the window. */
  importRulebook: (file: number[]) => call<AdoptedRulebook>('import_rulebook', { file }),
  setLang: (lang: Lang) => call<DeskStatus>('set_lang', { lang }),
  reference: () => call<Reference>('reference'),
  home: () => call<Home>('home'),
  persons: (region: () => string | null) => list<Record<Person>>('persons', region),
  person: (id: string) => call<Record<Person>>('person', { id }),
  savePerson: (id: string | null, version: number | null, input: PersonInput) =>
    call<Record<Person>>('save_person', { id, version, input }),
  hostOrgs: (region: () => string | null) => list<Record<HostOrg>>('host_orgs', region),
  hostOrg: (id: string) => call<Record<HostOrg>>('host_org', { id }),
  saveHostOrg: (id: string | null, version: number | null, input: HostOrgInput) =>
    call<Record<HostOrg>>('save_host_org', { id, version, input }),
  applications: (region: () => string | null) => list<Record<SubProjectApplication>>('applications', region),
  application: (id: string) => call<ApplicationView>('application', { id }),
  saveApplication: (id: string | null, version: number | null, input: ApplicationInput) =>
    call<ApplicationView>('save_application', { id, version, input }),
  withdraw: (application: string, person: string | null, input: WithdrawalInput) =>
    call<ApplicationView>('withdraw', { application, person, input }),
  mentors: (region: () => string | null) => list<Record<Mentor>>('mentors', region),
  mentor: (id: string) => call<Record<Mentor>>('mentor', { id }),
  saveMentor: (id: string | null, version: number | null, input: MentorInput) =>
    call<Record<Mentor>>('save_mentor', { id, version, input }),
  syncPanel: () => call<SyncPanel>('sync_panel'),
  syncEnrol: (server: string, code: string, name: string, certificate: string | null) =>
    call<SyncPanel>('sync_enrol', { server, code, name, certificate }),
  syncNow: () => call<SyncOutcome>('sync_now'),
  /** Writes the changes HQ has not answered yet to a file for a USB stick. */
  syncExport: () => call<ExportedFile>('sync_export'),
  /** Reads HQ's answer file, its bytes as opened in the window. */
  syncImport: (answer: number[]) => call<SyncOutcome>('sync_import', { answer }),
  syncResolve: (caseId: string, keep: 'mine' | 'theirs', fields: { [field: string]: 'mine' | 'theirs' }) =>
    call<SyncPanel>('sync_resolve', { case: caseId, keep, fields }),
  screenCohort: () => call<ScreeningLine[]>('screen_cohort'),
  explain: (subject: Subject, id: string) => call<Evaluation>('explain', { subject, id }),
  ranking: (region: string) => call<Ranking>('ranking', { region }),
  addCommissionMember: (input: CommissionMemberInput) =>
    call<Record<CommissionMember>>('add_commission_member', { input }),
  recordScore: (application: string, member: string, input: ScoreInput) =>
    call<Record<Score>>('record_score', { application, member, input }),
  decideCommission: (input: CommissionDecisionInput) =>
    call<Record<CommissionDecision>>('decide_commission', { input }),
  lotteries: () => call<Record<LotteryRecord>[]>('lotteries'),
  drawLottery: (input: LotteryDrawInput) => call<Record<LotteryRecord>>('draw_lottery', { input }),
  verifyLottery: (id: string) => call<LotteryCheck>('verify_lottery', { id }),
  lotteryBalance: (id: string) => call<Balance>('lottery_balance', { id }),
  indicators: () => call<Indicators>('indicators'),
  mentorSelection: (id: string) => call<MentorSelection>('mentor_selection', { id }),
  recordInterview: (id: string, input: MentorInterviewInput) =>
    call<Record<MentorInterview>>('record_interview', { id, input }),
  decideMentor: (id: string, input: DecisionInput) => call<Record<MentorDecision>>('decide_mentor', { id, input }),
  hostOrgDecision: (id: string) => call<Record<HostOrgDecision> | null>('host_org_decision', { id }),
  decideHostOrg: (id: string, input: DecisionInput) =>
    call<Record<HostOrgDecision>>('decide_host_org', { id, input }),
  recordMemorandum: (id: string, number: string, date: string) =>
    call<Record<HostOrgDecision>>('record_memorandum', { id, number, date }),
  trainingEvents: (region: string | null) => call<Record<TrainingEvent>[]>('training_events', { region }),
  planTraining: (region: string) => call<Record<TrainingEvent>[]>('plan_training', { region }),
  editTrainingEvent: (id: string, version: number, input: TrainingEventInput) =>
    call<Record<TrainingEvent>>('edit_training_event', { id, version, input }),
  roster: (event: string) => call<Roster>('roster', { event }),
  recordAttendance: (event: string, day: number, marks: AttendanceMark[]) =>
    call<Roster>('record_attendance', { event, day, marks }),
  mentorWork: (mentor: string) => call<MentorWork>('mentor_work', { mentor }),
  certifyMentor: (mentor: string, on: string) => call<Record<Mentor>>('certify_mentor', { mentor, on }),
  assignMentor: (mentor: string, application: string, on: string) =>
    call<Record<MentorAssignment>>('assign_mentor', { mentor, application, on }),
  endAssignment: (id: string, on: string, reason: string) =>
    call<Record<MentorAssignment>>('end_assignment', { id, on, reason }),
  recordSession: (mentor: string, input: MentorSessionInput) =>
    call<Record<MentorSession>>('record_session', { mentor, input }),
  writeProtocol: (session: string, input: ProtocolInput) =>
    call<Record<MentorSession>>('write_protocol', { session, input }),
  recordGrievance: (region: string, input: GrievanceInput, application: string | null, mentor: string | null) =>
    call<GrievanceLine>('record_grievance', { region, input, application, mentor }),
  grievanceStep: (id: string, version: number, input: GrievanceStepInput) =>
    call<GrievanceView>('grievance_step', { id, version, input }),
  grievance: (id: string) => call<GrievanceView>('grievance', { id }),
  grievances: (region: string | null, filter: GrievanceFilter) =>
    call<GrievanceLine[]>('grievances', { region, filter }),
  grants: (region: string | null) => call<GrantLine[]>('grants', { region }),
  saveContract: (application: string, version: number | null, input: GrantContractInput) =>
    call<Record<GrantContract>>('save_contract', { application, version, input }),
  scholarshipRoll: (region: string, month: string) => call<ScholarshipRoll>('scholarship_roll', { region, month }),
  recordScholarships: (region: string, month: string) =>
    call<ScholarshipRoll>('record_scholarships', { region, month }),
  moneyTotals: () => call<MoneyTotals[]>('money_totals'),
  reportLines: (region: string | null) => call<ReportLine[]>('report_lines', { region }),
  submitReport: (application: string, input: ReportInput) =>
    call<Record<SubprojectReport>>('submit_report', { application, input }),
  reviewReport: (application: string, kind: string, version: number, input: ReviewInput) =>
    call<Record<SubprojectReport>>('review_report', { application, kind, version, input }),
  outreach: (region: string | null) => call<Record<OutreachEvent>[]>('outreach', { region }),
  recordOutreach: (region: string, input: OutreachInput) =>
    call<Record<OutreachEvent>>('record_outreach', { region, input }),
  outreachTotals: () => call<OutreachTotals[]>('outreach_totals'),
  certificateLines: (region: string | null) => call<CertificateLine[]>('certificate_lines', { region }),
  printPreview: (document: Document, lang: string) => call<Preview>('print_preview', { document, lang }),
  printSave: (document: Document, lang: string) => call<Saved>('print_save', { document, lang }),
  printCertificates: (region: string | null, lang: string) =>
    call<SavedBatch>('print_certificates', { region, lang }),
  openPrinted: (path: string) => call<null>('open_printed', { path }),
  issueCertificate: (holder: Holder, id: string, issuedOn: string) =>
    call<Record<Certificate>>('issue_certificate', { holder, id, issuedOn }),
  /** Checks a certificate: the code its QR holds as pasted, or its PDF's bytes as opened. */
  history: (entity: Entity, id: string) => call<HistoryEntry[]>('history', { entity, id }),
  documents: (owner: DocumentOwner, ownerId: string) => call<DocumentsView>('documents', { owner, ownerId }),
  /** The scan's bytes go as the request's body, raw; what they are goes in a header. */
  attachDocument: (attach: AttachDocument, scan: Uint8Array) =>
    call<Record<SupportingDocument>>('attach_document', scan, {
      headers: { 'x-korpus-document': encodeURIComponent(JSON.stringify(attach)) },
    }),
  removeRecord: (entity: Entity, id: string, version: number) =>
    call<null>('remove_record', { entity, id, version }),
  removeDocument: (id: string, version: number) =>
    call<Record<SupportingDocument>>('remove_document', { id, version }),
  documentScan: (id: string) => call<ArrayBuffer>('document_scan', { id }),
  openDocumentScan: (id: string) => call<null>('open_document_scan', { id }),
  verifyCertificate: (code: string | null, pdf: number[] | null) =>
    call<Verification>('verify_certificate', { code, pdf }),
};

/** Hears the desk's `event` until the returned function is called. */
function hear<T>(event: DeskEvent, handler: (payload: T) => void): () => void {
  const stop = listen<T>(event, (e) => handler(e.payload));
  return () => void stop.then((unlisten) => unlisten());
}

/** How far a running sync has come, as the desk tells it. */
export const onSyncProgress = (handler: (progress: SyncProgress) => void) => hear('sync-progress', handler);

/** A sync ended, asked for or the desk's own. */
export const onSyncFinished = (handler: () => void) => hear<null>('sync-finished', () => handler());

/** How far a bulk print has come, as the desk tells it. */
export const onPrintProgress = (handler: (progress: WorkProgress) => void) => hear('print-progress', handler);

/** How far a screening has come, as the desk tells it. */
export const onScreeningProgress = (handler: (progress: WorkProgress) => void) =>
  hear('screening-progress', handler);

