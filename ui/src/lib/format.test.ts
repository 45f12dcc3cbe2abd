import { describe, expect, it } from 'vitest';
import {
  formatBytes,
  formatCount,
  formatDate,
  formatInstant,
  formatPercent,
  formatTenge,
  fullName,
  orNull,
  percentOf,
  todayText,
} from './format';

describe('format', () => {
  it('writes an instant in Kazakhstan time, as the CLI does', () => {
    // 2017: Almaty was UTC+6.
    expect(formatInstant('2017-05-02T06:00:00Z')).toBe('02.05.2017 12:00');
    expect(formatInstant('2017-05-02T18:30:00Z')).toBe('03.05.2017 00:30');
    expect(formatInstant('')).toBe('');
    expect(formatInstant('not a time')).toBe('not a time');
  });

  it('writes dates as DD.MM.YYYY', () => {
    expect(formatDate('1995-03-08')).toBe('08.03.1995');
    expect(formatDate('2017-04-14')).toBe('14.04.2017');
    expect(formatDate(null)).toBe('');
    expect(formatDate('14.04.2017')).toBe('14.04.2017');
  });

  it('groups tenge by three with the tenge sign', () => {
    expect(formatTenge(1_000_000)).toBe('1 000 000 ₸');
    expect(formatTenge(26_000)).toBe('26 000 ₸');
    expect(formatTenge(999)).toBe('999 ₸');
    expect(formatTenge(0)).toBe('0 ₸');
    expect(formatTenge(-1500)).toBe('-1 500 ₸');
    expect(formatCount(100000)).toBe('100 000');
  });

  it('joins names and drops an absent patronymic', () => {
    expect(fullName({ surname: 'Сәрсенбаева', given_name: 'Әйгерім', patronymic: 'Қанатқызы' })).toBe(
      'Сәрсенбаева Әйгерім Қанатқызы',
    );
    expect(fullName({ surname: 'Smith', given_name: 'Anna', patronymic: null })).toBe('Smith Anna');
  });

  it('sends empty optional fields as no value', () => {
    expect(orNull('  ')).toBeNull();
    expect(orNull('')).toBeNull();
    expect(orNull(null)).toBeNull();
    expect(orNull('Ақсу')).toBe('Ақсу');
  });

  it('writes bytes by size', () => {
    expect(formatBytes(900)).toBe('900 B');
    expect(formatBytes(12_500)).toBe('12 KB');
    expect(formatBytes(3_565_158)).toBe('3.4 MB');
  });

  it('writes today as forms take a date', () => {
    expect(todayText(new Date(2017, 4, 2))).toBe('02.05.2017');
    expect(todayText(new Date(2026, 10, 25))).toBe('25.11.2026');
  });

  it('gives shares in percent, bounded, and writes them with one decimal', () => {
    expect(percentOf(6, 9)).toBeCloseTo(66.667, 3);
    expect(percentOf(0, 0)).toBe(0);
    expect(percentOf(12, 10)).toBe(100);
    expect(formatPercent(55)).toBe('55.0 %');
    expect(formatPercent(percentOf(1, 3))).toBe('33.3 %');
    expect(formatPercent(null)).toBe('—');
  });
});
