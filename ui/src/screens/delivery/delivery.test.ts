import { describe, expect, it } from 'vitest';
import { formatMinutes } from './delivery';

describe('formatMinutes', () => {
  it('shows hours and minutes as the monthly rule counts them', () => {
    expect(formatMinutes(1170)).toBe('19:30');
    expect(formatMinutes(1200)).toBe('20:00');
    expect(formatMinutes(5)).toBe('0:05');
  });
});
