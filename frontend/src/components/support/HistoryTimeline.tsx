import { Text, Timeline } from '@mantine/core';
import { formatDateTime, label, moneyInText } from '@/services/format';
import type { CaseEvent } from '@/services/types';
import { STAFF_ONLY } from '../common/forms';

// Events that move no status, in the words of someone following their case.
const TITLES: Record<string, string> = {
  message_added: 'New message',
  assigned: 'Case assigned',
  priority_changed: 'Priority changed',
  // The note names the clock: "first response" or "resolution".
  sla_breached: 'SLA target breached',
  // The note names the file.
  attachment_redacted: 'File removed',
  internal_attachment_redacted: 'Internal file removed',
};

/** Who acted. A customer's history names staff as the support team and the system's own
 * steps (a refund confirmed by the reconciliation, say) as automatic: the server sends them
 * so (`support_team`, `automatic`), never a staff id. Staff read the system as automatic too. */
function who(e: CaseEvent, currentUserId: string, names: Record<string, string>): string {
  if (e.actor_id === currentUserId) return 'you';
  if (e.actor_role === 'automatic' || e.actor_id === 'system') return 'Automatic';
  if (e.actor_role === 'support_team') return 'Support team';
  return names[e.actor_id] ?? label(e.actor_role);
}

function describe(e: CaseEvent): string {
  const what = e.entity === 'refund' ? 'Refund' : 'Case';
  if (e.from_status && e.to_status && e.from_status !== e.to_status) {
    return `${what}: ${label(e.from_status)} → ${label(e.to_status)}`;
  }
  const plain = TITLES[e.type];
  if (plain) return plain;
  // Event types already name their subject ("case_opened", "refund_requested").
  const type = label(e.type);
  return /^(case|refund)/i.test(e.type) ? type : `${what}: ${type.toLowerCase()}`;
}

interface Props {
  events: CaseEvent[];
  currentUserId: string;
  names?: Record<string, string>;
}

export function HistoryTimeline({ events, currentUserId, names = {} }: Props) {
  if (!events.length)
    return (
      <Text c="dimmed" size="sm">
        Nothing has happened yet.
      </Text>
    );
  return (
    <Timeline bulletSize={14} lineWidth={2} active={events.length - 1} aria-label="History">
      {events.map((e) => (
        <Timeline.Item key={e.id} title={describe(e)}>
          <Text size="xs" c="dimmed">
            {formatDateTime(e.at)} · {who(e, currentUserId, names)}
          </Text>
          {e.note ? (
            <Text size="sm" mt={2}>
              {moneyInText(e.note)}
              {e.note_public ? null : (
                <Text span size="xs" c="dimmed">
                  {` · ${STAFF_ONLY}`}
                </Text>
              )}
            </Text>
          ) : null}
        </Timeline.Item>
      ))}
    </Timeline>
  );
}
