/** The refund policy in words: who published a version, what a dry run's outcome means, and
 * what changed from one version to the next. */
import { formatDateTime, formatMoney } from './format';
import type { DryRunOutcome, RefundPolicy } from './types';

/** The policy's limits are minor units of the shop's one currency. The API does not name it
 * (the limits are plain numbers); the demo shop, and the server's explanations of limits,
 * are in euros. */
export const SHOP_CURRENCY = 'EUR';

export const OUTCOME_WORDS: Record<DryRunOutcome, string> = {
  now_refused: 'would be refused',
  needs_supervisor: 'would need a supervisor',
  could_approve: 'could be approved',
  same: 'same',
};

export const OUTCOME_COLORS: Record<DryRunOutcome, string> = {
  now_refused: 'red',
  needs_supervisor: 'orange',
  could_approve: 'teal',
  same: 'gray',
};

/** "Version 2, published by Ada Admin on 3 Dec 2026, 10:00: longer window" /
 * "Version 1: the service's settings". */
export function versionLine(policy: RefundPolicy): string {
  if (policy.created_at === null) return `Version ${policy.version}: the service's settings`;
  const by = policy.created_by?.name ? ` by ${policy.created_by.name}` : '';
  const note = policy.note ? `: ${policy.note}` : '';
  return `Version ${policy.version}, published${by} on ${formatDateTime(policy.created_at)}${note}`;
}

const days = (n: number) => `${n} day${n === 1 ? '' : 's'}`;

function listChange(what: string, before: string[], after: string[]): string[] {
  const added = after.filter((v) => !before.includes(v));
  const removed = before.filter((v) => !after.includes(v));
  return [
    ...(added.length ? [`${what} + ${added.join(', ')}`] : []),
    ...(removed.length ? [`${what} − ${removed.join(', ')}`] : []),
  ];
}

/** What a version changed from the one before, in a short line:
 * "window 14 → 30 days; agent limit for settlements €500.00 → €300.00; final-sale SKUs + GR-7". */
export function policyChanges(before: RefundPolicy, after: RefundPolicy): string {
  const money = (n: number) => formatMoney(n, SHOP_CURRENCY);
  const changes: string[] = [];
  if (before.window_days !== after.window_days)
    changes.push(`window ${before.window_days} → ${days(after.window_days)}`);
  if (before.lost_parcel_after_days !== after.lost_parcel_after_days)
    changes.push(
      `lost after ${before.lost_parcel_after_days} → ${days(after.lost_parcel_after_days)}`,
    );
  const limits = [
    ['approval_threshold', 'agent limit for refunds of units'],
    ['amount_refund_threshold', 'agent limit for refunds of an amount'],
    ['settlement_threshold', 'agent limit for settlements'],
  ] as const;
  for (const [field, words] of limits)
    if (before[field] !== after[field])
      changes.push(`${words} ${money(before[field])} → ${money(after[field])}`);
  changes.push(...listChange('final-sale SKUs', before.final_sale_skus, after.final_sale_skus));
  changes.push(
    ...listChange(
      'final-sale categories',
      before.final_sale_categories,
      after.final_sale_categories,
    ),
  );
  const windowsBefore = new Map(before.category_windows.map((w) => [w.category, w.days]));
  const windowsAfter = new Map(after.category_windows.map((w) => [w.category, w.days]));
  for (const [category, d] of windowsAfter) {
    const was = windowsBefore.get(category);
    if (was === undefined) changes.push(`${category} window ${days(d)}`);
    else if (was !== d) changes.push(`${category} window ${was} → ${days(d)}`);
  }
  for (const category of windowsBefore.keys())
    if (!windowsAfter.has(category)) changes.push(`${category} window removed`);
  return changes.length ? changes.join('; ') : 'no change to the rules';
}
