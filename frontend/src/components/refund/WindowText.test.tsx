import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { renderWithProviders } from '@/test/render';
import { WindowText } from './WindowText';

const DAY = 86_400_000;
const NOW = Date.parse('2026-11-26T12:00:00Z');
const at = (days: number) => new Date(NOW + days * DAY).toISOString();

describe('the refund window of an order', () => {
  it('says an order not delivered yet is not delivered, not that its window closed', () => {
    renderWithProviders(
      <WindowText window={{ delivered_at: null, closes_at: null, open: false, basis: 'none' }} />,
    );
    expect(screen.getByText(/Not delivered yet/)).toBeInTheDocument();
    expect(screen.queryByText(/Outside the refund window/)).not.toBeInTheDocument();
  });

  it('says an order not shipped is refundable as a cancellation', () => {
    renderWithProviders(
      <WindowText
        window={{ delivered_at: null, closes_at: null, open: true, basis: 'not_shipped' }}
        now={NOW}
      />,
    );
    expect(screen.getByText('Not shipped yet: refundable as a cancellation.')).toBeInTheDocument();
  });

  it('says a parcel that never arrived is refundable as lost in transit', () => {
    const window = {
      delivered_at: null,
      shipped_at: at(-12),
      opens_at: at(-2),
      closes_at: at(12),
      open: true,
      basis: 'lost_in_transit' as const,
    };
    renderWithProviders(<WindowText window={window} now={NOW} />);
    expect(
      screen.getByText(
        'The parcel shipped 12 days ago and never arrived: refundable as lost in transit, ' +
          'window closes in 12 days.',
      ),
    ).toBeInTheDocument();
  });

  it('says when a parcel shipped a day ago will count as lost, and no closing date', () => {
    const window = {
      delivered_at: null,
      shipped_at: at(-1),
      opens_at: at(9),
      closes_at: at(23),
      open: false,
      basis: 'lost_in_transit' as const,
    };
    renderWithProviders(<WindowText window={window} now={NOW} />);
    expect(
      screen.getByText(
        'Shipped 1 day ago; counts as lost in transit after 10 days, on 5 Dec 2026.',
      ),
    ).toBeInTheDocument();
    expect(screen.queryByText(/Window clos/)).not.toBeInTheDocument();
  });
});
