import { describe, expect, it } from 'vitest';
import {
  describeWindow,
  formatDay,
  formatDuration,
  formatMoney,
  moneyInText,
  parseMoney,
  toMajorString,
  windowLabel,
} from './format';

const DAY = 86_400_000;
const NOW = Date.parse('2026-11-26T12:00:00Z');
const ago = (days: number) => new Date(NOW - days * DAY).toISOString();

describe('money', () => {
  it('formats integer cents with the currency', () => {
    expect(formatMoney(2140, 'EUR')).toBe('€21.40');
    expect(formatMoney(89900 + 17081, 'EUR')).toBe('€1,069.81');
    expect(formatMoney(5, 'EUR')).toBe('€0.05');
    expect(formatMoney(1500, 'JPY')).toMatch(/¥1,500$/);
  });

  it('reads typed amounts back into cents without floats', () => {
    expect(parseMoney('21.40', 'EUR')).toBe(2140);
    expect(parseMoney('21,4', 'EUR')).toBe(2140);
    expect(parseMoney('0.1', 'EUR')).toBe(10);
    expect(parseMoney('19.99', 'EUR')).toBe(1999);
    expect(parseMoney('1.234', 'EUR')).toBeNull();
    expect(parseMoney('-1', 'EUR')).toBeNull();
    expect(toMajorString(5949, 'EUR')).toBe('59.49');
  });

  it('shows amounts the server wrote into a note the way every other amount shows', () => {
    expect(moneyInText('voucher of 59.49 EUR: sorry')).toBe('voucher of €59.49: sorry');
    expect(moneyInText('refunds above 500.00 EUR need a supervisor')).toBe(
      'refunds above €500.00 need a supervisor',
    );
    expect(moneyInText('2 USB cables')).toBe('2 USB cables');
    expect(moneyInText('nothing to format')).toBe('nothing to format');
  });
});

describe('the refund window in plain words', () => {
  it('counts down while it is open', () => {
    const w = {
      delivered_at: ago(3),
      closes_at: new Date(NOW + 11 * DAY).toISOString(),
      open: true,
    };
    expect(describeWindow(w, NOW)).toBe('delivered 3 days ago, window closes in 11 days');
  });

  it('says how far outside it is once closed', () => {
    const w = { delivered_at: ago(20), closes_at: ago(6), open: false };
    expect(describeWindow(w, NOW)).toBe('delivered 20 days ago, outside the window by 6 days');
  });

  it('speaks of hours on the last day', () => {
    const w = {
      delivered_at: ago(13.9),
      closes_at: new Date(NOW + 2 * 3_600_000).toISOString(),
      open: true,
    };
    expect(describeWindow(w, NOW)).toBe('delivered 14 days ago, window closes in 2 hours');
  });

  it('rounds whole days down in both directions', () => {
    const open = (daysLeft: number) => ({
      delivered_at: ago(3),
      closes_at: new Date(NOW + daysLeft * DAY).toISOString(),
      open: true,
    });
    const closed = (daysOver: number) => ({
      delivered_at: ago(20),
      closes_at: ago(daysOver),
      open: false,
    });
    const text = (w: Parameters<typeof describeWindow>[0]) => describeWindow(w, NOW).split(', ')[1];

    expect(text(open(11))).toBe('window closes in 11 days');
    expect(text(open(10.99))).toBe('window closes in 10 days');
    expect(text(open(1))).toBe('window closes in 1 day');
    expect(text(closed(6))).toBe('outside the window by 6 days');
    expect(text(closed(6.04))).toBe('outside the window by 6 days');
    expect(text(closed(6.99))).toBe('outside the window by 6 days');
    expect(text(closed(7))).toBe('outside the window by 7 days');
    expect(text(closed(1))).toBe('outside the window by 1 day');
  });

  it('speaks of hours on either side of the closing time when less than a day', () => {
    const closed = (hoursOver: number) => ({
      delivered_at: ago(14.2),
      closes_at: new Date(NOW - hoursOver * 3_600_000).toISOString(),
      open: false,
    });
    expect(describeWindow(closed(5), NOW)).toBe(
      'delivered 14 days ago, outside the window by 5 hours',
    );
    expect(describeWindow(closed(0.2), NOW)).toBe(
      'delivered 14 days ago, outside the window by 1 hour',
    );
  });

  it('has not started before delivery', () => {
    expect(describeWindow({ delivered_at: null, closes_at: null, open: false }, NOW)).toMatch(
      /not delivered yet/,
    );
  });
});

describe('the window of an order that never arrived, in plain words', () => {
  const later = (days: number) => new Date(NOW + days * DAY).toISOString();
  const lost = (shippedDaysAgo: number, open: boolean) => ({
    delivered_at: null,
    shipped_at: ago(shippedDaysAgo),
    opens_at: later(10 - shippedDaysAgo),
    closes_at: later(24 - shippedDaysAgo),
    open,
    basis: 'lost_in_transit' as const,
  });

  it('calls a refund of an order not shipped a cancellation', () => {
    const w = { delivered_at: null, closes_at: null, open: true, basis: 'not_shipped' as const };
    expect(describeWindow(w, NOW)).toBe('not shipped yet: refundable as a cancellation');
    expect(windowLabel(w, NOW)).toBe('Open: not shipped');
  });

  it('says a parcel shipped twelve days ago never arrived and is refundable as lost', () => {
    expect(describeWindow(lost(12, true), NOW)).toBe(
      'the parcel shipped 12 days ago and never arrived: refundable as lost in transit, ' +
        'window closes in 12 days',
    );
    expect(windowLabel(lost(12, true), NOW)).toBe('Open: lost in transit');
  });

  it('says when a parcel shipped a day ago will count as lost', () => {
    expect(describeWindow(lost(1, false), NOW)).toBe(
      'shipped 1 day ago; counts as lost in transit after 10 days, on 5 Dec 2026',
    );
    expect(windowLabel(lost(1, false), NOW)).toBe('Not lost yet');
  });

  it('says how far outside a parcel lost long ago is', () => {
    expect(describeWindow(lost(30, false), NOW)).toBe(
      'the parcel shipped 30 days ago and never arrived: outside the lost-in-transit window ' +
        'by 6 days',
    );
    expect(windowLabel(lost(30, false), NOW)).toBe('Closed');
  });

  it('tells a case about something else how a parcel that never came is refunded', () => {
    const w = {
      delivered_at: null,
      shipped_at: ago(12),
      closes_at: null,
      open: false,
      basis: 'none' as const,
    };
    expect(describeWindow(w, NOW)).toMatch(
      /^shipped 12 days ago and not delivered yet: .* refunded as lost in transit in a case/,
    );
    expect(windowLabel(w, NOW)).toBe('Not delivered');
  });
});

describe('durations and days in plain words', () => {
  it('says a duration as people do, not "0 h" for five minutes', () => {
    expect(formatDuration(5 * 60)).toBe('5 min');
    expect(formatDuration(2 * 3600 + 10 * 60)).toBe('2 h 10 min');
    expect(formatDuration(3 * 86_400 + 4 * 3600)).toBe('3 d 4 h');
  });

  it('rounds at the edges of each unit', () => {
    expect(formatDuration(0)).toBe('under 1 min');
    expect(formatDuration(29)).toBe('under 1 min');
    expect(formatDuration(30)).toBe('1 min');
    expect(formatDuration(59 * 60 + 29)).toBe('59 min');
    expect(formatDuration(59 * 60 + 30)).toBe('1 h');
    expect(formatDuration(3600)).toBe('1 h');
    expect(formatDuration(23 * 3600 + 59 * 60 + 29)).toBe('23 h 59 min');
    expect(formatDuration(23 * 3600 + 59 * 60 + 30)).toBe('1 d');
    expect(formatDuration(86_400 + 29 * 60)).toBe('1 d');
    expect(formatDuration(86_400 + 31 * 60)).toBe('1 d 1 h');
    expect(formatDuration(47 * 3600 + 31 * 60)).toBe('2 d');
  });

  it('shows a dash when there is nothing to measure', () => {
    expect(formatDuration(null)).toBe('—');
    expect(formatDuration(undefined)).toBe('—');
    expect(formatDuration(-5)).toBe('—');
  });

  it('writes an API day as "1 Dec", the day the server counted', () => {
    expect(formatDay('2026-12-01')).toBe('1 Dec');
    expect(formatDay('2026-11-30')).toBe('30 Nov');
    expect(formatDay('2027-01-09')).toBe('9 Jan');
  });
});
