import { formatMoney } from '@/services/format';

export function Money({ amount, currency }: { amount: number; currency: string }) {
  return (
    <span style={{ fontVariantNumeric: 'tabular-nums' }}>{formatMoney(amount, currency)}</span>
  );
}
