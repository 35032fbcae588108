import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { renderWithProviders } from '@/test/render';
import type { ReasonCode } from '@/services/types';
import { AmountRefundForm } from './AmountRefundForm';

const REASONS = [
  { code: 'late_delivery', label: 'Late delivery' },
  { code: 'goodwill', label: 'Goodwill' },
  { code: 'other', label: 'Other' },
] as ReasonCode[];

describe('AmountRefundForm', () => {
  it('sends the amount in cents with its cause, starting on goodwill', async () => {
    const onSubmit = vi.fn(async () => undefined);
    renderWithProviders(
      <AmountRefundForm currency="EUR" remaining={14512} reasons={REASONS} onSubmit={onSubmit} />,
    );
    expect(screen.getByLabelText('Cause')).toHaveValue('goodwill');
    await userEvent.type(screen.getByLabelText(/Amount/), '5');
    await userEvent.selectOptions(screen.getByLabelText('Cause'), 'late_delivery');
    await userEvent.click(screen.getByRole('button', { name: 'Give this amount' }));
    expect(onSubmit).toHaveBeenCalledWith({
      kind: 'amount',
      amount: 500,
      reason_code: 'late_delivery',
      note: null,
    });
  });

  it('refuses more than remains to give on the order, before sending', async () => {
    const onSubmit = vi.fn(async () => undefined);
    renderWithProviders(
      <AmountRefundForm currency="EUR" remaining={3803} reasons={REASONS} onSubmit={onSubmit} />,
    );
    await userEvent.type(screen.getByLabelText(/Amount/), '38.04');
    await userEvent.click(screen.getByRole('button', { name: 'Give this amount' }));
    expect(
      await screen.findByText('At most €38.03: what remains to give on this order'),
    ).toBeInTheDocument();
    expect(onSubmit).not.toHaveBeenCalled();
  });
});
