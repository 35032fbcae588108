import { describe, expect, it } from 'vitest';
import { everyDay, integerTicks } from './chartData';

describe('count axes have whole-number ticks', () => {
  it('never puts a fraction on a count axis', () => {
    for (const max of [0, 1, 2, 3, 4, 5, 7, 9, 13, 48, 101, 999, 12_345]) {
      const ticks = integerTicks(max);
      expect(ticks.every(Number.isInteger), `max ${max}: ${ticks.join(',')}`).toBe(true);
      expect(ticks[0]).toBe(0);
      expect(ticks.at(-1)!).toBeGreaterThanOrEqual(max);
      expect(ticks.length).toBeLessThanOrEqual(6);
    }
  });

  it('steps by one for small counts, and an empty chart still reads 0 to 1', () => {
    expect(integerTicks(0)).toEqual([0, 1]);
    expect(integerTicks(1)).toEqual([0, 1]);
    expect(integerTicks(3)).toEqual([0, 1, 2, 3]);
    expect(integerTicks(5)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('takes steps of 2, 5 or 10 times a power of ten beyond that', () => {
    expect(integerTicks(6)).toEqual([0, 2, 4, 6]);
    expect(integerTicks(9)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(integerTicks(11)).toEqual([0, 5, 10, 15]);
    expect(integerTicks(48)).toEqual([0, 10, 20, 30, 40, 50]);
    expect(integerTicks(0.75)).toEqual([0, 1]);
  });
});

describe('refunds per day cover every day', () => {
  const NOW = Date.UTC(2026, 11, 2, 10, 0); // 2 Dec 2026, 10:00 UTC

  it('turns one day of data into a run of days with zeros, ending today', () => {
    const days = everyDay([{ day: '2026-12-01', count: 3 }], NOW, 7);
    expect(days.map((d) => d.day)).toEqual([
      '2026-11-26',
      '2026-11-27',
      '2026-11-28',
      '2026-11-29',
      '2026-11-30',
      '2026-12-01',
      '2026-12-02',
    ]);
    expect(days.map((d) => d.count)).toEqual([0, 0, 0, 0, 0, 3, 0]);
  });

  it('keeps a day the server sent outside the range (clocks a day apart)', () => {
    const days = everyDay([{ day: '2026-12-03', count: 1 }], NOW, 3);
    expect(days.map((d) => d.day)).toEqual([
      '2026-11-30',
      '2026-12-01',
      '2026-12-02',
      '2026-12-03',
    ]);
    expect(days.at(-1)!.count).toBe(1);
  });

  it('crosses month ends and shows 30 days by default', () => {
    const days = everyDay([], NOW);
    expect(days).toHaveLength(30);
    expect(days[0]?.day).toBe('2026-11-03');
    expect(days.at(-1)!.day).toBe('2026-12-02');
  });
});
