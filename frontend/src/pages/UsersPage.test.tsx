import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { renderWithProviders } from '@/test/render';
import { UsersPage } from './UsersPage';

const deactivate = vi.fn();
const changeRole = vi.fn();
const sendReset = vi.fn();
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
  useChangeUserRole: () => ({ ...idle, mutate: changeRole }),
  useSendPasswordReset: () => ({ ...idle, mutate: sendReset }),
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

describe('an admin changing a role', () => {
  it('moves staff between agent, supervisor and admin from the row', async () => {
    renderWithProviders(<UsersPage />);

    const role = screen.getByRole('combobox', { name: 'Role of bob@example.com' });
    expect(role).toHaveValue('agent');
    expect(
      within(role)
        .getAllByRole('option')
        .map((o) => o.textContent),
    ).toEqual(['Agent', 'Supervisor', 'Admin']);

    await userEvent.selectOptions(role, 'supervisor');
    expect(changeRole).toHaveBeenCalledExactlyOnceWith(
      { userId: 'usr_bob', role: 'supervisor' },
      expect.anything(),
    );
  });
});

describe('an admin sending a reset link', () => {
  it('sends it to the user of the row', async () => {
    renderWithProviders(<UsersPage />);

    await userEvent.click(
      screen.getByRole('button', { name: 'Send bob@example.com a password reset link' }),
    );

    expect(sendReset).toHaveBeenCalledWith('usr_bob', expect.anything());
  });
});
