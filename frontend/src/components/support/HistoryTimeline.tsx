import { Text, Timeline } from '@mantine/core';
import { formatDateTime, label } from '@/services/format';
import type { CaseEvent } from '@/services/types';
import { STAFF_ONLY } from '../common/forms';

function describe(e: CaseEvent): string {
  const what = e.entity === 'refund' ? 'Refund' : 'Case';
  if (e.from_status && e.to_status && e.from_status !== e.to_status) {
    return `${what}: ${label(e.from_status)} → ${label(e.to_status)}`;
  }
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
            {formatDateTime(e.at)} ·{' '}
            {e.actor_id === currentUserId ? 'you' : (names[e.actor_id] ?? label(e.actor_role))}
          </Text>
          {e.note ? (
            <Text size="sm" mt={2}>
              {e.note}
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
