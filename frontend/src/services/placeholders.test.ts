import { describe, expect, it } from 'vitest';
import { fillPlaceholders, missingPlaceholders, valuesFromCase } from './placeholders';
import type { SupportCase } from './types';

const aCase = (over: Partial<SupportCase> = {}): SupportCase =>
  ({
    id: 'case_1',
    order_id: 'ORD-1001',
    customer: { id: 'CUST-1001', name: 'Alice Martin', email: 'alice@example.com' },
    refunds: [],
    ...over,
  }) as SupportCase;

describe('canned reply placeholders', () => {
  it('fills every placeholder the case has a value for, spaces inside the braces or not', () => {
    const values = valuesFromCase(
      aCase({
        refunds: [
          { id: 'rf_1', status: 'rejected', total_amount: 999, currency: 'EUR' },
          { id: 'rf_2', status: 'requested', total_amount: 10709, currency: 'EUR' },
        ],
      }),
    );
    const text = fillPlaceholders(
      'Hello {{customer.name}}, order {{ order.id }} ({{case.reference}}): {{refund.total}}',
      values,
    );
    expect(text).toBe('Hello Alice Martin, order ORD-1001 (case_1): €107.09');
    expect(missingPlaceholders(text)).toEqual([]);
  });

  it('leaves what the case cannot fill in place, and names it as missing', () => {
    const text = fillPlaceholders(
      'Your refund of {{refund.total}} for {{order.id}}; {{refund.total}} again',
      valuesFromCase(aCase({ customer: null })),
    );
    expect(text).toBe('Your refund of {{refund.total}} for ORD-1001; {{refund.total}} again');
    expect(missingPlaceholders(text)).toEqual(['refund.total']);
    expect(missingPlaceholders(fillPlaceholders('Hi {{customer.name}}', {}))).toEqual([
      'customer.name',
    ]);
  });

  it('counts a stray pair of braces as missing too: it would reach the customer as it is', () => {
    expect(missingPlaceholders('Hi {{customer.name')).toEqual(['{{']);
    expect(missingPlaceholders('Hi }} there')).toEqual(['{{']);
    expect(missingPlaceholders('A { single } brace is fine')).toEqual([]);
  });
});
