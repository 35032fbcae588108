import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { ReasonCode } from '@/services/types';
import { renderWithProviders } from '@/test/render';
import { ReasonSelect, startingReason } from './ReasonSelect';

const at = '2026-12-01T10:00:00Z';
const reason = (code: string, label: string, position: number): ReasonCode => ({
  code,
  label,
  active: true,
  position,
  version: 1,
  created_at: at,
  updated_at: at,
});
const REASONS = [
  reason('damaged', 'Damaged', 1),
  reason('late_delivery', 'Late delivery', 5),
  reason('other', 'Other', 10),
];

describe('ReasonSelect', () => {
  it('offers the list’s labels in its order and gives the chosen code', async () => {
    const user = userEvent.setup();
    renderWithProviders(<ReasonSelect label="Cause" reasons={REASONS} defaultValue="other" />);
    const select = screen.getByRole('combobox', { name: 'Cause' });
    expect(
      screen.getAllByRole('option').map((o) => [o.getAttribute('value'), o.textContent]),
    ).toEqual([
      ['damaged', 'Damaged'],
      ['late_delivery', 'Late delivery'],
      ['other', 'Other'],
    ]);
    await user.selectOptions(select, 'Late delivery');
    expect(select).toHaveValue('late_delivery');
  });

  it('may offer a first choice that names no reason', () => {
    renderWithProviders(
      <ReasonSelect label="Cause" reasons={REASONS} emptyOption="Same as the refund" />,
    );
    expect(screen.getByRole('combobox', { name: 'Cause' })).toHaveValue('');
    expect(screen.getAllByRole('option')[0]).toHaveTextContent('Same as the refund');
  });

  it('starts on the wanted reason while it is offered, else on “other”', () => {
    expect(startingReason(REASONS, 'damaged')).toBe('damaged');
    expect(startingReason(REASONS, 'goodwill')).toBe('other');
    expect(startingReason(REASONS, null)).toBe('other');
  });
});
