import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { renderWithProviders } from '@/test/render';
import type { CaseEvent } from '@/services/types';
import { HistoryTimeline } from './HistoryTimeline';

const at = '2026-01-01T10:00:00Z';
const event = (e: Partial<CaseEvent>): CaseEvent => ({
  id: `evt_${Math.random()}`,
  at,
  actor_id: 'usr_alice',
  actor_role: 'customer',
  entity: 'support_case',
  entity_id: 'case_1',
  type: 'case_opened',
  from_status: null,
  to_status: null,
  note: null,
  note_public: true,
  ...e,
});

describe('a customer’s history', () => {
  it('names staff as the support team and the system’s steps as automatic', () => {
    // As the server answers a customer: no staff ids, no system notes.
    const events = [
      event({ type: 'assigned', actor_id: 'support_team', actor_role: 'support_team' }),
      event({ type: 'message_added', actor_id: 'support_team', actor_role: 'support_team' }),
      event({
        type: 'refund_succeeded',
        entity: 'refund',
        actor_id: 'automatic',
        actor_role: 'automatic',
        from_status: 'processing',
        to_status: 'refunded',
      }),
      event({ type: 'message_added' }),
    ];
    renderWithProviders(<HistoryTimeline events={events} currentUserId="usr_alice" />);

    const history = screen.getByLabelText('History');
    expect(history).toHaveTextContent('Case assigned');
    expect(history).toHaveTextContent('New message');
    expect(history).not.toHaveTextContent('Case: message added');
    expect(screen.getAllByText(/· Support team$/)).toHaveLength(2);
    expect(screen.getByText(/· Automatic$/)).toBeInTheDocument();
    expect(screen.getByText(/· you$/)).toBeInTheDocument();
    expect(history).not.toHaveTextContent(/support_team|automatic|Admin/);
  });

  it('shows staff the reconciliation as automatic, not as an admin', () => {
    const events = [event({ type: 'refund_succeeded', actor_id: 'system', actor_role: 'admin' })];
    renderWithProviders(<HistoryTimeline events={events} currentUserId="usr_bob" />);
    expect(screen.getByText(/· Automatic$/)).toBeInTheDocument();
    expect(screen.queryByText(/Admin/)).not.toBeInTheDocument();
  });
});
