// How the desk writes dates, money and names: as people in Kazakhstan read them.

/** `1995-03-08` → `08.03.1995`; anything else is returned as it is. */
export function formatDate(iso: string | null | undefined): string {
  if (!iso) return '';
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  return m ? `${m[3]}.${m[2]}.${m[1]}` : iso;
}

/** Whole tenge in groups of three: `1000000` → `1 000 000 ₸`. */
export function formatTenge(amount: number | null | undefined): string {
  if (amount === null || amount === undefined) return '';
  const sign = amount < 0 ? '-' : '';
  const digits = Math.abs(Math.trunc(amount)).toString();
  return `${sign}${digits.replace(/\B(?=(\d{3})+(?!\d))/g, ' ')} ₸`;
}

/** Grouped digits without the sign, for counts: `100000` → `100 000`. */
export function formatCount(n: number): string {
  return n.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
}

/** "Surname Given Patronymic". */
export function fullName(p: { surname: string; given_name: string; patronymic: string | null }): string {
  return [p.surname, p.given_name, p.patronymic].filter(Boolean).join(' ');
}

/** An optional field as the desk sends it: empty text is no value. */
export function orNull(value: string | null | undefined): string | null {
  const trimmed = value?.trim() ?? '';
  return trimmed === '' ? null : value ?? null;
}

/** Bytes as people read them on a slow link: `900 B`, `12 KB`, `3.4 MB`. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${Math.round(n / 1024)} KB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}

/** Today as forms take a date: DD.MM.YYYY, on the desk's own calendar. */
export function todayText(now: Date = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(now.getDate())}.${pad(now.getMonth() + 1)}.${now.getFullYear()}`;
}

/** `part` of `whole` in percent, 0 to 100 (0 when there is no whole): for shares and bar widths. */
export function percentOf(part: number, whole: number): number {
  return whole > 0 ? Math.min(100, Math.max(0, (part * 100) / whole)) : 0;
}

/** A percentage with one decimal, `—` when there is none: `55` → `55.0 %`. */
export function formatPercent(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : `${value.toFixed(1)} %`;
}

/** An instant (RFC 3339) as the CLI shows it: `DD.MM.YYYY HH:MM`, Kazakhstan's time (Asia/Almaty). */
export function formatInstant(iso: string | null | undefined): string {
  if (!iso) return '';
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Asia/Almaty',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.day}.${parts.month}.${parts.year} ${parts.hour}:${parts.minute}`;
}
