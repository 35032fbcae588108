import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { renderWithProviders } from '@/test/render';
import { CustomerLink } from './CustomerLink';

const ALICE = { id: 'CUST-1001', name: 'Alice Martin', email: 'alice@example.com' };

describe('CustomerLink', () => {
  it('names the customer, links to their page and shows their address', () => {
    renderWithProviders(<CustomerLink customerId="CUST-1001" customer={ALICE} />);

    expect(screen.getByRole('link', { name: 'Alice Martin' })).toHaveAttribute(
      'href',
      '/customers/CUST-1001',
    );
    expect(screen.getByText('alice@example.com')).toBeInTheDocument();
  });

  it('falls back to the id when the order system named nobody', () => {
    renderWithProviders(<CustomerLink customerId="CUST 9/9" customer={null} inline />);

    expect(screen.getByRole('link', { name: 'CUST 9/9' })).toHaveAttribute(
      'href',
      '/customers/CUST%209%2F9',
    );
  });
});
