import { Badge, Tooltip } from '@mantine/core';
import { formatDateTime } from '@/services/format';
import { SLA_STATUS_LABELS, type SlaStatus } from './slaWords';

const COLORS: Record<SlaStatus, string> = {
  ok: 'green',
  at_risk: 'orange',
  breached: 'red',
  paused: 'gray',
};

interface Props {
  status: SlaStatus | null | undefined;
  /** The earliest pending due time, shown on hover. */
  dueAt?: string | null;
}

/** A case's SLA standing in the lists: nothing when no clock waits for anything. */
export function SlaBadge({ status, dueAt }: Props) {
  if (!status) return null;
  const badge = (
    <Badge
      color={COLORS[status]}
      variant="light"
      size="sm"
      // Never cut to "ON …" by a narrow table column: the badge is as wide as its words.
      style={{ minWidth: 'max-content' }}
      aria-label={`SLA: ${SLA_STATUS_LABELS[status]}`}
    >
      {SLA_STATUS_LABELS[status]}
    </Badge>
  );
  if (!dueAt) return badge;
  return <Tooltip label={`Due ${formatDateTime(dueAt)}`}>{badge}</Tooltip>;
}

/** The earliest of a case's pending due times. */
export function earliestDue(c: {
  first_response_due_at?: string | null;
  resolution_due_at?: string | null;
}): string | null {
  const dues = [c.first_response_due_at, c.resolution_due_at].filter((d): d is string => !!d);
  if (!dues.length) return null;
  return dues.reduce((a, b) => (new Date(a) <= new Date(b) ? a : b));
}
