import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '@/services/http';
import { renderWithProviders } from '@/test/render';
import { CaseForm } from './CaseForm';

const ORDERS = [{ value: 'ORD-1001', label: 'ORD-1001' }];

async function pickCategory(user: ReturnType<typeof userEvent.setup>, name: string) {
  await user.selectOptions(
    screen.getByRole('combobox', { name: /Category/ }),
    screen.getByRole('option', { name }),
  );
}

describe('CaseForm', () => {
  it('says what is missing and sends nothing', async () => {
    const user = userEvent.setup();
    const onSubmit = vi.fn();
    renderWithProviders(<CaseForm orderOptions={ORDERS} onSubmit={onSubmit} />);

    await user.click(screen.getByRole('button', { name: 'Open case' }));

    expect(await screen.findByText('Choose the order this is about')).toBeInTheDocument();
    expect(screen.getByText('Say in a few words what is wrong')).toBeInTheDocument();
    expect(screen.getByText('Describe what happened')).toBeInTheDocument();
    expect(screen.getByText('Choose a category')).toBeInTheDocument();
    expect(onSubmit).not.toHaveBeenCalled();
  });

  it('holds the subject to the API limit of 200 characters and ignores blank text', async () => {
    const user = userEvent.setup();
    const onSubmit = vi.fn();
    renderWithProviders(
      <CaseForm orderOptions={ORDERS} defaultOrderId="ORD-1001" onSubmit={onSubmit} />,
    );

    const subject = screen.getByRole('textbox', { name: /Subject/ });
    // The input itself stops at 200; bypass it to prove the rule holds without the attribute.
    subject.removeAttribute('maxlength');
    await user.type(subject, 'x'.repeat(201));
    await user.type(screen.getByRole('textbox', { name: /Description/ }), '   ');
    await user.click(screen.getByRole('button', { name: 'Open case' }));

    expect(
      await screen.findByText('Keep the subject to 200 characters or fewer'),
    ).toBeInTheDocument();
    expect(screen.getByText('Describe what happened')).toBeInTheDocument();
    expect(onSubmit).not.toHaveBeenCalled();
  });

  it('leaves the priority to the team: a customer is not asked how urgent the case is', () => {
    renderWithProviders(
      <CaseForm orderOptions={ORDERS} defaultOrderId="ORD-1001" onSubmit={vi.fn()} />,
    );
    expect(screen.queryByText('Priority')).not.toBeInTheDocument();
    expect(screen.queryByRole('option', { name: 'Urgent' })).not.toBeInTheDocument();
  });

  it('sends trimmed values with the default priority', async () => {
    const user = userEvent.setup();
    const onSubmit = vi.fn().mockResolvedValue(undefined);
    renderWithProviders(
      <CaseForm orderOptions={ORDERS} defaultOrderId="ORD-1001" onSubmit={onSubmit} />,
    );

    await user.type(screen.getByRole('textbox', { name: /Subject/ }), '  Broken cable  ');
    await pickCategory(user, 'Damaged item');
    await user.type(screen.getByRole('textbox', { name: /Description/ }), 'It does not charge.');
    await user.click(screen.getByRole('button', { name: 'Open case' }));

    await waitFor(() =>
      expect(onSubmit).toHaveBeenCalledWith({
        order_id: 'ORD-1001',
        subject: 'Broken cable',
        description: 'It does not charge.',
        category: 'damaged_item',
        priority: 'normal',
      }),
    );
  });

  it('puts the server’s field errors next to the fields', async () => {
    const user = userEvent.setup();
    const onSubmit = vi.fn().mockRejectedValue(
      new ApiError({
        status: 422,
        code: 'order_not_found',
        title: 'Order not found',
        detail: 'no such order',
        errors: [{ loc: ['body', 'order_id'], msg: 'no such order on your account' }],
      }),
    );
    renderWithProviders(
      <CaseForm orderOptions={ORDERS} defaultOrderId="ORD-1001" onSubmit={onSubmit} />,
    );

    await user.type(screen.getByRole('textbox', { name: /Subject/ }), 'Late');
    await pickCategory(user, 'Not delivered');
    await user.type(screen.getByRole('textbox', { name: /Description/ }), 'Nothing came.');
    await user.click(screen.getByRole('button', { name: 'Open case' }));

    expect(await screen.findByText('No such order on your account')).toBeInTheDocument();
    expect(screen.getByRole('alert')).toHaveTextContent(
      'We could not find that order on your account.',
    );
  });

  it('asks staff by which channel the customer reached them, phone first', async () => {
    const user = userEvent.setup();
    const onSubmit = vi.fn().mockResolvedValue(undefined);
    renderWithProviders(<CaseForm askChannel orderOptions={ORDERS} onSubmit={onSubmit} />);

    expect(screen.getByRole('textbox', { name: /Channel/ })).toHaveValue('Phone');
    await user.click(screen.getByRole('textbox', { name: /Channel/ }));
    await user.click(await screen.findByRole('option', { name: 'Email' }));
    await user.click(screen.getByRole('textbox', { name: /Order/ }));
    await user.click(await screen.findByRole('option', { name: 'ORD-1001' }));
    await user.type(screen.getByRole('textbox', { name: /Subject/ }), 'Wrote about her mug');
    await pickCategory(user, 'Damaged item');
    await user.type(screen.getByRole('textbox', { name: /Description/ }), 'Chipped.');
    await user.click(screen.getByRole('button', { name: 'Open case' }));

    await waitFor(() =>
      expect(onSubmit).toHaveBeenCalledWith(
        expect.objectContaining({ order_id: 'ORD-1001', channel: 'email' }),
      ),
    );
  });

  it('does not ask a customer for a channel', () => {
    renderWithProviders(<CaseForm orderOptions={ORDERS} onSubmit={vi.fn()} />);

    expect(screen.queryByRole('textbox', { name: /Channel/ })).not.toBeInTheDocument();
  });
});
