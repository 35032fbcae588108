/** Money and time in the reader's words. Amounts stay integer minor units until display. */
import type { RefundWindow } from './types';

const fractionDigits = (currency: string): number =>
  new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions()
    .maximumFractionDigits ?? 2;

export function formatMoney(minor: number, currency: string, locale = 'en-IE'): string {
  const digits = fractionDigits(currency);
  // Integer division into units and remainder keeps floats off the money path; only the
  // final string is built by Intl.
  const negative = minor < 0;
  const abs = Math.abs(minor);
  const base = 10 ** digits;
  const units = Math.trunc(abs / base);
  const rest = abs % base;
  const decimal = digits ? `${units}.${String(rest).padStart(digits, '0')}` : String(units);
  const fmt = new Intl.NumberFormat(locale, { style: 'currency', currency });
  // Intl formats numeric strings exactly (no binary float rounding).
  return fmt.format((negative ? `-${decimal}` : decimal) as Intl.StringNumericLiteral);
}

/** Parses "21.40" or "21,40" into minor units (2140), or null if it is not an amount. */
export function parseMoney(text: string, currency: string): number | null {
  const digits = fractionDigits(currency);
  const t = text.trim().replace(',', '.');
  const re = digits ? new RegExp(`^(\\d+)(?:\\.(\\d{0,${digits}}))?$`) : /^(\d+)$/;
  const m = re.exec(t);
  if (!m) return null;
  const units = Number(m[1]);
  const frac = (m[2] ?? '').padEnd(digits, '0');
  return units * 10 ** digits + (frac ? Number(frac) : 0);
}

const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

/** Amounts the server wrote into a text ("voucher of 59.49 EUR: …", history notes) as the
 * rest of the app shows money ("€59.49"). Other text is left as it is. */
export function moneyInText(text: string): string {
  return text.replace(/\b(\d+(?:\.\d+)?) ([A-Z]{3})\b/g, (whole, amount: string, code: string) => {
    // Only real currencies: "2 USB" in a note stays as it is.
    const minor = CURRENCIES.has(code) ? parseMoney(amount, code) : null;
    return minor === null ? whole : formatMoney(minor, code);
  });
}

export function toMajorString(minor: number, currency: string): string {
  const digits = fractionDigits(currency);
  if (!digits) return String(minor);
  const base = 10 ** digits;
  return `${Math.trunc(minor / base)}.${String(minor % base).padStart(digits, '0')}`;
}

const DAY = 86_400_000;

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  return new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium' }).format(new Date(iso));
}

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  return new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short' }).format(
    new Date(iso),
  );
}

function days(n: number): string {
  return `${n} day${n === 1 ? '' : 's'}`;
}

function hours(ms: number): string {
  const n = Math.max(1, Math.round(ms / 3_600_000));
  return `${n} hour${n === 1 ? '' : 's'}`;
}

/** "3 days ago", "today", "in 11 days" */
export function relativeDays(iso: string, now = Date.now()): string {
  const diff = new Date(iso).getTime() - now;
  const n = Math.round(Math.abs(diff) / DAY);
  if (n === 0) return diff < 0 ? 'today' : 'later today';
  return diff < 0 ? `${days(n)} ago` : `in ${days(n)}`;
}

export interface WindowLike {
  delivered_at?: string | null;
  closes_at?: string | null;
  open: boolean;
  /** Which rule decides it (the server's `basis`); absent: by delivery. */
  basis?: RefundWindow['basis'];
  shipped_at?: string | null;
  opens_at?: string | null;
}

// One rule for both directions: whole days passed, rounded down, and hours below one day.
// Rounding the closed side up said "by 7 days" six days and an hour after the window shut.
const span = (ms: number) => {
  const n = Math.floor(ms / DAY);
  return n >= 1 ? days(n) : hours(ms);
};

/** Whether a lost-in-transit window has still to open: the parcel may yet arrive. */
export function notLostYet(w: WindowLike, now = Date.now()): boolean {
  return w.basis === 'lost_in_transit' && !w.open && !!w.opens_at && now <= Date.parse(w.opens_at);
}

/**
 * The window in words, by the rule the server says decides it:
 * "delivered 3 days ago, window closes in 11 days" / "outside the window by 6 days";
 * "not shipped yet: refundable as a cancellation";
 * "the parcel shipped 12 days ago and never arrived: refundable as lost in transit, …";
 * "shipped 1 day ago; counts as lost in transit after 10 days, on 11 Dec 2026".
 */
export function describeWindow(w: WindowLike, now = Date.now()): string {
  if (w.basis === 'not_shipped') return 'not shipped yet: refundable as a cancellation';
  if (w.basis === 'lost_in_transit' && w.shipped_at) return describeLost(w, w.shipped_at, now);
  if (w.basis === 'none' && w.shipped_at)
    return (
      `shipped ${relativeDays(w.shipped_at, now)} and not delivered yet: a parcel that never ` +
      'arrives is refunded as lost in transit in a case about an order not delivered'
    );
  if (!w.delivered_at) return 'not delivered yet, so the refund window has not started';
  const delivered = `delivered ${relativeDays(w.delivered_at, now)}`;
  if (!w.closes_at) return delivered;
  const closes = new Date(w.closes_at).getTime();
  if (w.open && closes > now) return `${delivered}, window closes in ${span(closes - now)}`;
  return `${delivered}, outside the window by ${span(now - closes)}`;
}

function describeLost(w: WindowLike, shippedAt: string, now: number): string {
  const shipped = relativeDays(shippedAt, now);
  if (notLostYet(w, now) && w.opens_at) {
    const after = Math.round((Date.parse(w.opens_at) - Date.parse(shippedAt)) / DAY);
    return (
      `shipped ${shipped}; counts as lost in transit after ${days(after)}, ` +
      `on ${formatDate(w.opens_at)}`
    );
  }
  const lost = `the parcel shipped ${shipped} and never arrived`;
  if (!w.closes_at) return `${lost}: refundable as lost in transit`;
  const closes = Date.parse(w.closes_at);
  if (w.open && closes > now)
    return `${lost}: refundable as lost in transit, window closes in ${span(closes - now)}`;
  return `${lost}: outside the lost-in-transit window by ${span(now - closes)}`;
}

/** The window in a word or two, for a table cell. */
export function windowLabel(w: WindowLike, now = Date.now()): string {
  if (w.basis === 'not_shipped') return 'Open: not shipped';
  if (w.basis === 'lost_in_transit')
    return w.open ? 'Open: lost in transit' : notLostYet(w, now) ? 'Not lost yet' : 'Closed';
  if (!w.delivered_at) return 'Not delivered';
  return w.open ? 'Open' : 'Closed';
}

/** How the approval decided, for the record: "after delivery", "as lost in transit". */
export const BASIS_WORDS: Record<RefundWindow['basis'], string> = {
  delivered: 'after delivery',
  not_shipped: 'as a cancellation (not shipped)',
  lost_in_transit: 'as lost in transit',
  none: 'with the order not delivered',
};

/**
 * A span of time as people say it: "under 1 min", "5 min", "2 h 10 min", "3 d 4 h".
 * Rounded to whole minutes below a day and whole hours from a day on; a zero part is left
 * out ("2 h", "3 d").
 */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds == null || !Number.isFinite(seconds) || seconds < 0) return '—';
  const minutes = Math.round(seconds / 60);
  if (minutes < 1) return 'under 1 min';
  if (minutes < 60) return `${minutes} min`;
  if (minutes < 24 * 60) {
    const h = Math.floor(minutes / 60);
    const m = minutes % 60;
    return m ? `${h} h ${m} min` : `${h} h`;
  }
  const hours = Math.round(seconds / 3600);
  const d = Math.floor(hours / 24);
  const h = hours % 24;
  return h ? `${d} d ${h} h` : `${d} d`;
}

/** A calendar day from the API ("2026-12-01") as "1 Dec", the day as the server counted it
 * (no shift into the reader's time zone). */
export function formatDay(day: string): string {
  const [y, m, d] = day.split('-').map(Number);
  if (!y || !m || !d) return day;
  return new Intl.DateTimeFormat('en-GB', {
    day: 'numeric',
    month: 'short',
    timeZone: 'UTC',
  }).format(new Date(Date.UTC(y, m - 1, d)));
}

export const label = (value: string): string =>
  (value.charAt(0).toUpperCase() + value.slice(1)).replace(/_/g, ' ');

/** A server's words ("the case is closed") as a sentence: capitalised, with a full stop. */
export function sentence(text: string): string {
  const capitalised = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?]$/.test(capitalised) ? capitalised : `${capitalised}.`;
}

/** What a refund gives back, in a few words: its units ("2 × USB-C Cable"), or for a refund of
 * an amount its reason ("An amount: goodwill"). */
export function refundWhat(r: {
  kind: string;
  reason_code?: string | null;
  items: { quantity: number; name: string }[];
}): string {
  if (r.kind === 'amount') return `An amount: ${label(r.reason_code ?? 'other').toLowerCase()}`;
  return r.items.map((i) => `${i.quantity} × ${i.name}`).join(', ');
}
