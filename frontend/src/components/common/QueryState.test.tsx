import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '@/services/http';
import { renderWithProviders } from '@/test/render';
import { QueryState, type QueryLike } from './QueryState';

function query<T>(overrides: Partial<QueryLike<T>>): QueryLike<T> {
  return {
    isPending: false,
    isError: false,
    error: null,
    data: undefined,
    refetch: vi.fn(),
    ...overrides,
  };
}

describe('QueryState', () => {
  it('shows a loading skeleton while the query is pending', () => {
    renderWithProviders(
      <QueryState query={query<string>({ isPending: true })}>{(d) => <p>{d}</p>}</QueryState>,
    );
    expect(screen.getByLabelText('Loading')).toBeInTheDocument();
  });

  it('shows what went wrong and tries again on request', async () => {
    const q = query<string>({
      isError: true,
      error: new ApiError({ status: 503, code: 'upstream_unavailable' }),
    });
    renderWithProviders(<QueryState query={q}>{(d) => <p>{d}</p>}</QueryState>);

    expect(screen.getByRole('alert')).toHaveTextContent(/not answering right now/);
    await userEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(q.refetch).toHaveBeenCalledOnce();
  });

  it('tells a customer what to do, not which system behind us failed', async () => {
    const q = query<string>({
      isError: true,
      error: new ApiError({
        status: 503,
        code: 'upstream_unavailable',
        title: 'Service unavailable',
        detail: 'An upstream system is unavailable: the order system did not answer',
      }),
    });
    renderWithProviders(
      <QueryState
        query={q}
        unavailable="We can't load your orders right now; try again in a minute."
      >
        {(d) => <p>{d}</p>}
      </QueryState>,
    );

    const alert = screen.getByRole('alert');
    expect(alert).toHaveTextContent("We can't load your orders right now; try again in a minute.");
    expect(alert).not.toHaveTextContent(/upstream|order system|Service unavailable/);
    await userEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(q.refetch).toHaveBeenCalledOnce();
  });

  it('shows the not-found view for a 404 when the page has one', () => {
    const q = query<string>({ isError: true, error: new ApiError({ status: 404 }) });
    renderWithProviders(
      <QueryState query={q} notFound={<h2>No such case</h2>}>
        {(d) => <p>{d}</p>}
      </QueryState>,
    );
    expect(screen.getByRole('heading', { name: 'No such case' })).toBeInTheDocument();
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('shows a 404 as a problem when the page has no not-found view', () => {
    const q = query<string>({ isError: true, error: new ApiError({ status: 404 }) });
    renderWithProviders(<QueryState query={q}>{(d) => <p>{d}</p>}</QueryState>);
    expect(screen.getByRole('alert')).toBeInTheDocument();
  });

  it('renders the data once it is there', () => {
    renderWithProviders(
      <QueryState query={query({ data: 'ORD-1001' })}>{(d) => <p>Order {d}</p>}</QueryState>,
    );
    expect(screen.getByText('Order ORD-1001')).toBeInTheDocument();
  });

  it('shows the empty view when the data has nothing to show', () => {
    renderWithProviders(
      <QueryState
        query={query({ data: [] as string[] })}
        isEmpty={(d) => !d.length}
        empty={<p>No orders.</p>}
      >
        {(d) => <p>{d.length} orders</p>}
      </QueryState>,
    );
    expect(screen.getByText('No orders.')).toBeInTheDocument();
    expect(screen.queryByText(/0 orders/)).not.toBeInTheDocument();
  });
});
