/**
 * Canned replies' placeholders, filled from the case when a reply is chosen. The server
 * accepts only these four names (a reply with another is refused when it is saved); a
 * value the case does not have stays in the text as `{{name}}`, which `missingPlaceholders`
 * finds so that the reply box can refuse to send it.
 */
import { formatMoney } from './format';
import type { SupportCase } from './types';

export const PLACEHOLDERS = [
  'customer.name',
  'order.id',
  'case.reference',
  'refund.total',
] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];
export type PlaceholderValues = Partial<Record<Placeholder, string>>;

// The server's pattern: two braces, a name with optional spaces around it, two braces.
const PATTERN = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** What the case gives each placeholder; absent when it has nothing (no refund yet). */
export function valuesFromCase(c: SupportCase): PlaceholderValues {
  const values: PlaceholderValues = { 'order.id': c.order_id, 'case.reference': c.id };
  if (c.customer?.name) values['customer.name'] = c.customer.name;
  // The case's latest refund: refunds are listed oldest first.
  const latest = c.refunds.at(-1);
  if (latest) values['refund.total'] = formatMoney(latest.total_amount, latest.currency);
  return values;
}

/** The body with every placeholder the values know replaced; the others left as they are. */
export function fillPlaceholders(body: string, values: PlaceholderValues): string {
  return body.replace(PATTERN, (whole, name: string) => {
    const value = values[name as Placeholder];
    return value === undefined ? whole : value;
  });
}

/** The placeholders still in a text, each once, in order: what must be filled by hand. */
export function missingPlaceholders(text: string): string[] {
  const names = Array.from(text.matchAll(PATTERN), (m) => m[1] ?? '');
  const stray = text.replace(PATTERN, '');
  // A lone "{{" or "}}" would reach the customer as it stands, like an unfilled name.
  if (stray.includes('{{') || stray.includes('}}')) names.push('{{');
  return [...new Set(names)];
}
