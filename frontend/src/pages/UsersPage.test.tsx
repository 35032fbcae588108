import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { renderWithProviders } from '@/test/render';
import { UsersPage } from './UsersPage';

const deactivate = vi.fn();
const idle = { mutate: vi.fn(), mutateAsync: vi.fn(), isPending: false, error: null };

vi.mock('@/hooks/useSession', () => ({ useMe: () => ({ id: 'usr_admin', role: 'admin' }) }));
vi.mock('@/hooks/useUsers', () => ({
  useUsers: () => ({
    isPending: false,
    isError: false,
    isSuccess: true,
    status: 'success',
    data: [
      {
        id: 'usr_bob',
        name: 'Bob',
        email: 'bob@example.com',
        role: 'agent',
        customer_id: null,
        active: true,
        created_at: '2026-11-01T10:00:00Z',
      },
    ],
  }),
  useCreateUser: () => idle,
  useDeactivateUser: () => ({ ...idle, mutate: deactivate }),
  useReactivateUser: () => idle,
}));

describe('an admin deactivating a user', () => {
  it('asks first, says access ends at once, and deactivates only on confirmation', async () => {
    renderWithProviders(<UsersPage />);

    await userEvent.click(screen.getByRole('button', { name: 'Deactivate bob@example.com' }));
    const dialog = await screen.findByRole('dialog', { name: 'Deactivate bob@example.com?' });
    expect(dialog).toHaveTextContent(/lose access at once/);
    expect(deactivate).not.toHaveBeenCalled();

    await userEvent.click(within(dialog).getByRole('button', { name: 'Deactivate' }));
    expect(deactivate).toHaveBeenCalledExactlyOnceWith('usr_bob');
  });
});
