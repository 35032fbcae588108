import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '@/services/http';
import { renderWithProviders } from '@/test/render';
import { ProblemAlert } from './ProblemAlert';

describe('ProblemAlert', () => {
  it('offers to try again when the order system is down', async () => {
    const onRetry = vi.fn();
    renderWithProviders(
      <ProblemAlert
        error={
          new ApiError({
            status: 503,
            code: 'upstream_unavailable',
            title: 'Service unavailable',
            detail: 'order system timed out',
          })
        }
        onRetry={onRetry}
      />,
    );
    expect(screen.getByRole('alert')).toHaveTextContent(
      'A system we depend on is not answering right now.',
    );
    await userEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(onRetry).toHaveBeenCalledOnce();
  });

  it('offers no retry where retrying cannot help', () => {
    renderWithProviders(
      <ProblemAlert
        error={
          new ApiError({
            status: 403,
            code: 'supervisor_approval_required',
            title: 'Supervisor approval required',
            detail: '',
          })
        }
        onRetry={() => {}}
      />,
    );
    expect(screen.getByRole('alert')).toHaveTextContent('a supervisor must approve it');
    expect(screen.queryByRole('button')).not.toBeInTheDocument();
  });

  it('asks to reload after a version conflict', () => {
    renderWithProviders(
      <ProblemAlert
        error={
          new ApiError({ status: 409, code: 'version_conflict', title: 'Changed', detail: '' })
        }
        onRetry={() => {}}
      />,
    );
    expect(screen.getByRole('button', { name: 'Reload' })).toBeInTheDocument();
  });
});
