import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { renderWithProviders } from '@/test/render';
import type { SupportCase } from '@/services/types';
import { CustomerCaseControls } from './CaseControls';

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
