import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { renderWithProviders } from '@/test/render';
import { WindowText } from './WindowText';

describe('the refund window of an order', () => {
  it('says an order not delivered yet is not delivered, not that its window closed', () => {
    renderWithProviders(
      <WindowText window={{ delivered_at: null, closes_at: null, open: false }} />,
    );
    expect(screen.getByText(/Not delivered yet/)).toBeInTheDocument();
    expect(screen.queryByText(/Outside the refund window/)).not.toBeInTheDocument();
  });
});
