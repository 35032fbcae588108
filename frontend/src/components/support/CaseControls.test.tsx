import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { renderWithProviders } from '@/test/render';
import type { SupportCase } from '@/services/types';
import { CustomerCaseControls, StaffCaseControls } from './CaseControls';

const openCase = {
  id: 'case_1',
  status: 'open',
  allowed_actions: ['close', 'reply'],
  blocked_actions: [],
  allowed_moves: [],
} as unknown as SupportCase;

describe('a customer closing their case', () => {
  it('asks first, says a closed case cannot be reopened, and closes only on confirmation', async () => {
    const onPatch = vi.fn().mockResolvedValue(undefined);
    renderWithProviders(<CustomerCaseControls supportCase={openCase} onPatch={onPatch} />);

    await userEvent.click(screen.getByRole('button', { name: 'Close case' }));
    const dialog = await screen.findByRole('dialog', { name: 'Close this case?' });
    expect(dialog).toHaveTextContent(/cannot be reopened/);
    expect(onPatch).not.toHaveBeenCalled();

    await userEvent.click(within(dialog).getByRole('button', { name: 'Keep it' }));
    expect(onPatch).not.toHaveBeenCalled();

    await userEvent.click(screen.getByRole('button', { name: 'Close case' }));
    const again = await screen.findByRole('dialog', { name: 'Close this case?' });
    await userEvent.click(within(again).getByRole('button', { name: 'Close case' }));
    expect(onPatch).toHaveBeenCalledExactlyOnceWith({ status: 'closed' });
  });
});

describe('an agent handling a case', () => {
  const workedCase = {
    ...openCase,
    status: 'open',
    allowed_actions: ['assign', 'change_priority', 'reply'],
    allowed_moves: ['in_progress', 'waiting_on_customer'],
    priority: 'normal',
    assignee_id: null,
  } as unknown as SupportCase;

  it('changes nothing while a message on the case is still being saved (its version is about to move)', () => {
    const onPatch = vi.fn();
    const { rerender } = renderWithProviders(
      <StaffCaseControls
        supportCase={workedCase}
        meId="usr_bob"
        onPatch={onPatch}
        onReload={() => {}}
        writing
      />,
    );
    expect(screen.getByLabelText('Status')).toBeDisabled();
    expect(screen.getByLabelText('Priority')).toBeDisabled();

    rerender(
      <StaffCaseControls
        supportCase={workedCase}
        meId="usr_bob"
        onPatch={onPatch}
        onReload={() => {}}
      />,
    );
    expect(screen.getByLabelText('Status')).toBeEnabled();
  });
});
