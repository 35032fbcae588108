import { screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { renderWithProviders } from '@/test/render';
import { CasesPage } from './CasesPage';

vi.mock('@/hooks/useSession', () => ({
  useMe: () => ({ id: 'usr_new', role: 'customer', customer_id: 'CUST-9' }),
}));
vi.mock('@/hooks/useStaff', () => ({ useStaff: () => ({ data: [] }) }));
vi.mock('@/hooks/useCases', () => ({
  useCaseList: () => ({
    isPending: false,
    isError: false,
    error: null,
    data: { pages: [{ items: [] }] },
    hasNextPage: false,
    isFetchingNextPage: false,
    refetch: vi.fn(),
    fetchNextPage: vi.fn(),
  }),
}));

describe('a customer’s empty case list', () => {
  it('says they have no cases yet and leads to their orders, when nothing is filtered', () => {
    renderWithProviders(<CasesPage />, { route: '/cases?sort=-created_at' });

    expect(screen.getByText('You have no cases yet')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'My orders' })).toHaveAttribute('href', '/');
    expect(screen.queryByText(/match these filters/)).not.toBeInTheDocument();
  });

  it('says the filters match nothing when filters are set', () => {
    renderWithProviders(<CasesPage />, { route: '/cases?status=closed' });

    expect(screen.getByText('No cases match these filters.')).toBeInTheDocument();
    expect(screen.queryByText('You have no cases yet')).not.toBeInTheDocument();
  });
});
