import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { draftKey } from '@/services/drafts';
import { renderWithProviders } from '@/test/render';
import type { CannedReply } from '@/services/types';
import { ReplyBox } from './ReplyBox';

const reply = (over: Partial<CannedReply>): CannedReply => ({
  id: 'crp_1',
  title: 'Photo request',
  body: 'Hello {{customer.name}}, a photo of order {{order.id}} please.',
  shared: true,
  set_status: null,
  owner_id: 'usr_admin',
  placeholders: [],
  may_change: false,
  version: 1,
  created_at: '2026-01-01T00:00:00Z',
  updated_at: '2026-01-01T00:00:00Z',
  ...over,
});

describe('ReplyBox', () => {
  it('tells the page when a reply is being written, and when it is not any more', async () => {
    const editing = vi.fn();
    const user = userEvent.setup();
    renderWithProviders(
      <ReplyBox allowInternal={false} onSend={async () => undefined} onEditingChange={editing} />,
    );
    await user.type(screen.getByRole('textbox', { name: 'Your reply' }), 'Hello');
    expect(editing).toHaveBeenLastCalledWith(true);
    await user.click(screen.getByRole('button', { name: 'Send' }));
    await waitFor(() => expect(editing).toHaveBeenLastCalledWith(false));
  });

  it('warns that someone else changed the case and offers a reload', async () => {
    const reload = vi.fn();
    const user = userEvent.setup();
    renderWithProviders(
      <ReplyBox
        allowInternal
        onSend={async () => undefined}
        changedBy="Sam Supervisor"
        onReload={reload}
      />,
    );
    expect(screen.getByRole('status')).toHaveTextContent(
      'This case was changed by Sam Supervisor — reload to see.',
    );
    await user.click(screen.getByRole('button', { name: 'Reload' }));
    expect(reload).toHaveBeenCalled();
  });

  describe('drafts', () => {
    afterEach(() => localStorage.clear());

    it('keeps a typed reply per user and case until it is sent, across a new sign-in', async () => {
      const user = userEvent.setup();
      const key = draftKey('usr_alice', 'case_1');
      const first = renderWithProviders(
        <ReplyBox allowInternal={false} onSend={async () => undefined} draftKey={key} />,
      );
      await user.type(screen.getByRole('textbox', { name: 'Your reply' }), 'The lid is cracked');
      // The session ends: the page goes away, and she signs in again later.
      first.unmount();

      renderWithProviders(
        <ReplyBox allowInternal={false} onSend={async () => undefined} draftKey={key} />,
      );
      expect(screen.getByRole('textbox', { name: 'Your reply' })).toHaveValue('The lid is cracked');
      await user.click(screen.getByRole('button', { name: 'Send' }));
      await waitFor(() => expect(localStorage.getItem(key)).toBeNull());
      expect(screen.getByRole('textbox', { name: 'Your reply' })).toHaveValue('');
    });

    it('never shows one user’s draft to another, nor one case’s draft on another case', async () => {
      const user = userEvent.setup();
      const first = renderWithProviders(
        <ReplyBox
          allowInternal={false}
          onSend={async () => undefined}
          draftKey={draftKey('usr_alice', 'case_1')}
        />,
      );
      await user.type(screen.getByRole('textbox', { name: 'Your reply' }), 'Private words');
      first.unmount();

      for (const key of [draftKey('usr_carol', 'case_1'), draftKey('usr_alice', 'case_2')]) {
        const other = renderWithProviders(
          <ReplyBox allowInternal={false} onSend={async () => undefined} draftKey={key} />,
        );
        expect(screen.getByRole('textbox', { name: 'Your reply' })).toHaveValue('');
        other.unmount();
      }
    });
  });

  describe('canned replies', () => {
    afterEach(() => localStorage.clear());

    it('opens the list on / at the start, fills the placeholders and sends with Ctrl+Enter', async () => {
      const send = vi.fn(async () => undefined);
      const setStatus = vi.fn(async () => undefined);
      const user = userEvent.setup();
      renderWithProviders(
        <ReplyBox
          allowInternal
          onSend={send}
          cannedReplies={[
            reply({ set_status: 'waiting_on_customer' }),
            reply({ id: 'crp_2', title: 'Refund on its way', body: 'Sent {{refund.total}}' }),
          ]}
          placeholderValues={{ 'customer.name': 'Alice Martin', 'order.id': 'ORD-1001' }}
          onSetStatus={setStatus}
        />,
      );
      const box = screen.getByRole('textbox', { name: 'Your reply' });
      await user.type(box, '/');
      await user.type(
        await screen.findByRole('textbox', { name: 'Search canned replies' }),
        'photo',
      );
      await user.click(screen.getByRole('button', { name: /Photo request/ }));
      await waitFor(() =>
        expect(box).toHaveValue('Hello Alice Martin, a photo of order ORD-1001 please.'),
      );
      expect(screen.getByText(/Will also set status/)).toHaveTextContent('Waiting on customer');

      await user.type(box, '{Control>}{Enter}{/Control}');
      await waitFor(() =>
        expect(send).toHaveBeenCalledWith({
          body: 'Hello Alice Martin, a photo of order ORD-1001 please.',
          internal: false,
        }),
      );
      await waitFor(() => expect(setStatus).toHaveBeenCalledWith('waiting_on_customer'));
    });

    it('shows a placeholder the case cannot fill as missing and will not send it', async () => {
      const send = vi.fn(async () => undefined);
      const user = userEvent.setup();
      renderWithProviders(
        <ReplyBox
          allowInternal={false}
          onSend={send}
          cannedReplies={[reply({ title: 'Refund on its way', body: 'Sent {{refund.total}}' })]}
          placeholderValues={{ 'order.id': 'ORD-1001' }}
        />,
      );
      await user.click(screen.getByRole('button', { name: 'Canned reply' }));
      await user.click(await screen.findByRole('button', { name: /Refund on its way/ }));
      const box = screen.getByRole('textbox', { name: 'Your reply' });
      await waitFor(() => expect(box).toHaveValue('Sent {{refund.total}}'));
      const sendButton = screen.getByRole('button', { name: 'Send' });
      expect(sendButton).toBeDisabled();
      expect(screen.getByText('{{refund.total}}')).toBeInTheDocument();
      await user.type(box, '{Control>}{Enter}{/Control}');
      expect(send).not.toHaveBeenCalled();

      await user.clear(box);
      await user.type(box, 'Sent €12.00');
      expect(sendButton).toBeEnabled();
    });
  });
});
