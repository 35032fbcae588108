import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { draftKey } from '@/services/drafts';
import { renderWithProviders } from '@/test/render';
import { ReplyBox } from './ReplyBox';

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
});
