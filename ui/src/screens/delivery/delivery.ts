// Small helpers of the delivery screens.

/** Minutes as hours and minutes, `19:30`, as the compliance rules count them. */
export function formatMinutes(minutes: number): string {
  return `${Math.floor(minutes / 60)}:${String(minutes % 60).padStart(2, '0')}`;
}
