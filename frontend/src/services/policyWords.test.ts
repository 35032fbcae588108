import { describe, expect, it } from 'vitest';
import { policyChanges, versionLine } from './policyWords';
import type { RefundPolicy } from './types';
import { POLICY_V1 } from '@/test/policy';

const V1 = POLICY_V1;

describe('what a version changed', () => {
  it('says each rule that changed, before and after, limits in euros', () => {
    const v2: RefundPolicy = {
      ...V1,
      version: 2,
      window_days: 30,
      settlement_threshold: 30050,
      final_sale_skus: ['GR-7'],
      category_windows: [{ category: 'shoes', days: 60 }],
    };
    expect(policyChanges(V1, v2)).toBe(
      'window 14 → 30 days; agent limit for settlements €500.00 → €300.50; ' +
        'final-sale SKUs + GR-7; shoes window 60 days',
    );
  });

  it('says when a version changed no rule', () => {
    expect(policyChanges(V1, { ...V1, version: 2 })).toBe('no change to the rules');
  });
});

describe('the version in force in words', () => {
  it('names version 1 as the settings, a published one by who and its note', () => {
    expect(versionLine(V1)).toBe("Version 1: the service's settings");
    expect(
      versionLine({
        ...V1,
        version: 2,
        note: 'longer window',
        created_at: '2026-12-03T10:00:00Z',
        created_by: { id: 'usr_admin', name: 'Ada Admin' },
      }),
    ).toMatch(/^Version 2, published by Ada Admin on 3 Dec 2026, \d\d:\d\d: longer window$/);
  });
});
