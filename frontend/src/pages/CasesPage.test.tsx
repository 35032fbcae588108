import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderWithProviders } from '@/test/render';
import { CasesPage } from './CasesPage';

const me = vi.hoisted(() => ({
  current: { id: 'usr_new', role: 'customer', customer_id: 'CUST-9' as string | null },
}));
vi.mock('@/hooks/useSession', () => ({ useMe: () => me.current }));
const exported = vi.hoisted(() => vi.fn(async () => new Blob(['id\n'])));
vi.mock('@/services/cases', () => ({ exportCasesCsv: exported }));
vi.mock('@/hooks/useStaff', () => ({ useStaff: () => ({ data: [] }) }));
vi.mock('@/hooks/useCases', () => ({
  useBulkChangeCases: () => ({ mutate: vi.fn(), isPending: false }),
  useAssignToMe: () => ({ mutate: vi.fn(), isPending: false }),
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

describe('the cases overview’s export', () => {
  afterEach(() => {
    me.current = { id: 'usr_new', role: 'customer', customer_id: 'CUST-9' };
  });

  it('lets staff download the filtered cases as CSV', async () => {
    me.current = { id: 'usr_bob', role: 'agent', customer_id: null };
    URL.createObjectURL = vi.fn(() => 'blob:x');
    URL.revokeObjectURL = vi.fn();
    renderWithProviders(<CasesPage />, { route: '/cases?status=open' });

    await userEvent.click(screen.getByRole('button', { name: 'Export CSV' }));

    await waitFor(() => expect(exported).toHaveBeenCalledTimes(1));
    expect(exported.mock.calls[0]).toEqual([expect.objectContaining({ status: ['open'] })]);
  });

  it('is not offered to customers', () => {
    renderWithProviders(<CasesPage />, { route: '/cases' });

    expect(screen.queryByRole('button', { name: 'Export CSV' })).not.toBeInTheDocument();
  });
});

describe('the filters a customer gets', () => {
  afterEach(() => {
    me.current = { id: 'usr_new', role: 'customer', customer_id: 'CUST-9' };
  });

  it('are a search and the statuses, not the staff’s triage panel', () => {
    renderWithProviders(<CasesPage />, { route: '/cases' });

    expect(screen.getByLabelText('Search')).toBeInTheDocument();
    expect(screen.queryByLabelText('Created from')).not.toBeInTheDocument();
    expect(screen.queryByLabelText('Priority')).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /default filters/ })).not.toBeInTheDocument();
  });

  it('are the whole panel for staff', () => {
    me.current = { id: 'usr_bob', role: 'agent', customer_id: null };
    renderWithProviders(<CasesPage />, { route: '/cases' });

    expect(screen.getByLabelText('Created from')).toBeInTheDocument();
    expect(screen.getByLabelText('Priority')).toBeInTheDocument();
  });
});
