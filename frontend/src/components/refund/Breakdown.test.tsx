import { describe, expect, it } from 'vitest';
import { formatMoney } from '@/services/format';
import { perUnit, unitWords } from './Breakdown';

const money = (n: number) => formatMoney(n, 'EUR');

describe('what one unit comes to', () => {
  it('is said once when every unit is the same', () => {
    expect(perUnit([1339, 1339, 1339], money)).toBe('€13.39 each');
    expect(perUnit([8999], money)).toBe('€89.99 each');
  });

  it('counts the units of each amount where the cents did not split evenly', () => {
    expect(perUnit([1339, 1339, 1339, 1338], money)).toBe('3 × €13.39 + 1 × €13.38');
  });
});

describe('a refund line on a phone', () => {
  it('says "€10.70 each", not "per unit €10.70 each", and names the uneven split per unit', () => {
    expect(unitWords([1070, 1070], money)).toBe('€10.70 each');
    expect(unitWords([1339, 1339, 1339, 1338], money)).toBe('per unit 3 × €13.39 + 1 × €13.38');
  });
});
