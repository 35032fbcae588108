import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { renderWithProviders } from '@/test/render';
import type { CaseEvent } from '@/services/types';
import { HistoryTimeline } from '../support/HistoryTimeline';
import { ReplyBox } from '../support/ReplyBox';
import { RejectForm } from './RejectForm';
import { SettlementForm } from './SettlementForm';

describe('staff forms say who reads what is typed', () => {
  it('tells the agent the customer reads a reject reason', () => {
    renderWithProviders(<RejectForm onSubmit={vi.fn()} />);
    expect(
      screen.getByRole('textbox', { name: /Reason for rejecting/ }),
    ).toHaveAccessibleDescription('Visible to the customer');
  });

  it('tells the agent the customer reads a settlement note and its reference', () => {
    renderWithProviders(<SettlementForm currency="EUR" total={1000} onSubmit={vi.fn()} />);
    expect(screen.getByRole('textbox', { name: /Note/ })).toHaveAccessibleDescription(
      'Visible to the customer',
    );
    expect(screen.getByRole('textbox', { name: /Reference/ })).toHaveAccessibleDescription(
      'Visible to the customer',
    );
  });

  it('says a reply reaches the customer and an internal note only staff', async () => {
    const user = userEvent.setup();
    renderWithProviders(<ReplyBox allowInternal onSend={vi.fn()} />);
    expect(screen.getByRole('textbox', { name: 'Your reply' })).toHaveAccessibleDescription(
      'Visible to the customer',
    );
    await user.click(screen.getByRole('checkbox', { name: 'Internal note' }));
    expect(screen.getByRole('textbox', { name: /Internal note/ })).toHaveAccessibleDescription(
      'Only staff see this',
    );
  });

  it('marks in the history which notes only staff read', () => {
    const base = {
      at: '2026-01-01T10:00:00Z',
      actor_id: 'usr_bob',
      actor_role: 'agent',
      entity: 'support_case',
      entity_id: 'case_1',
      from_status: 'open',
      to_status: 'in_progress',
    };
    const events: CaseEvent[] = [
      { ...base, id: 'evt_1', type: 'status_changed', note: 'escalate', note_public: false },
      { ...base, id: 'evt_2', type: 'status_changed', note: 'on its way', note_public: true },
    ];
    renderWithProviders(<HistoryTimeline events={events} currentUserId="usr_admin" />);
    expect(screen.getByText('escalate')).toHaveTextContent('escalate · Only staff see this');
    expect(screen.getByText('on its way')).toHaveTextContent(/^on its way$/);
  });
});
