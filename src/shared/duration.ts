const MINUTE_MS = 60_000;

const DURATION_UNITS: Array<[string, number]> = [
  ['year', 365.25 * 24 * 60 * MINUTE_MS],
  ['day', 24 * 60 * MINUTE_MS],
  ['hour', 60 * MINUTE_MS],
  ['minute', MINUTE_MS],
  ['second', 1_000],
];

/** "45 seconds", "1 minute": a window or the time until it resets, for the problem's detail. */
export function describeDuration(ms: number): string {
  const unit = DURATION_UNITS.find(([, size]) => ms >= size);
  if (unit === undefined) return `${ms} ms`;
  const count = Math.round(ms / unit[1]);
  return `${count} ${unit[0]}${count === 1 ? '' : 's'}`;
}
