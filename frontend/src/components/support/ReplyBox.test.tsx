import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
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
});
