/** What the dashboard's charts show: whole-number ticks for counts, and a run of days. */

const NICE_STEPS = [1, 2, 5];

/**
 * Ticks for a count axis from 0 to at least `max`: whole numbers only (there is no
 * "0.75 cases"), at most `maxTicks` of them, on steps of 1, 2 or 5 times a power of ten.
 * An empty chart (max 0) still gets 0 and 1, so a bar of zero sits on a readable axis.
 */
export function integerTicks(max: number, maxTicks = 6): number[] {
  const top = Math.max(1, Math.ceil(max));
  const intervals = Math.max(1, maxTicks - 1);
  const steps = (scale: number): number[] => NICE_STEPS.map((s) => s * scale);
  let scale = 1;
  let step = steps(scale).find((s) => Math.ceil(top / s) <= intervals);
  while (step === undefined) {
    scale *= 10;
    step = steps(scale).find((s) => Math.ceil(top / s) <= intervals);
  }
  return Array.from({ length: Math.ceil(top / step) + 1 }, (_, i) => i * step);
}

/** The axis's [0, last tick] for `integerTicks`, so the chart draws no tick of its own. */
export function tickDomain(ticks: number[]): [number, number] {
  return [0, ticks[ticks.length - 1] ?? 1];
}

const DAY_MS = 86_400_000;

/** "2026-12-01" as a UTC midnight; the server counts refunds per UTC calendar day. */
function dayStart(day: string): number {
  const [y = 0, m = 1, d = 1] = day.split('-').map(Number);
  return Date.UTC(y, m - 1, d);
}

function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/**
 * The server lists only the days that had refunds, within its last `days` days. The chart
 * shows every one of those days, a zero where there were none, so one day of data is one
 * bar among many (not one bar the width of the chart) and gaps read as quiet days.
 */
export function everyDay(
  counts: { day: string; count: number }[],
  now: number,
  days = 30,
): { day: string; count: number }[] {
  const byDay = new Map(counts.map((c) => [c.day, c.count]));
  const today = dayStart(isoDay(now));
  const starts = counts.map((c) => dayStart(c.day));
  // The server's clock and the browser's may disagree by a day: keep every day it sent.
  const first = Math.min(today - (days - 1) * DAY_MS, ...starts);
  const last = Math.max(today, ...starts);
  const out: { day: string; count: number }[] = [];
  for (let t = first; t <= last; t += DAY_MS) {
    const day = isoDay(t);
    out.push({ day, count: byDay.get(day) ?? 0 });
  }
  return out;
}
