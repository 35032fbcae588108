import { Badge } from '@mantine/core';
import { label } from '@/services/format';
import type { CaseStatus, Priority, RefundStatus } from '@/services/types';

const CASE_COLORS: Record<CaseStatus, string> = {
  open: 'blue',
  in_progress: 'violet',
  waiting_on_customer: 'yellow',
  resolved: 'teal',
  closed: 'gray',
};

const REFUND_COLORS: Record<RefundStatus, string> = {
  requested: 'blue',
  approved: 'cyan',
  processing: 'violet',
  refunded: 'green',
  failed: 'red',
  rejected: 'orange',
  cancelled: 'gray',
  settled: 'teal',
};

const PRIORITY_COLORS: Record<Priority, string> = {
  low: 'gray',
  normal: 'blue',
  high: 'orange',
  urgent: 'red',
};

export function CaseStatusBadge({ status }: { status: CaseStatus }) {
  return (
    <Badge
      color={CASE_COLORS[status] ?? 'gray'}
      variant="light"
      data-status={status}
      style={{ minWidth: 'max-content' }}
    >
      {label(status)}
    </Badge>
  );
}

export function RefundStatusBadge({ status }: { status: RefundStatus }) {
  return (
    <Badge
      color={REFUND_COLORS[status] ?? 'gray'}
      variant="light"
      data-status={status}
      style={{ minWidth: 'max-content' }}
    >
      {label(status)}
    </Badge>
  );
}

export function PriorityBadge({ priority }: { priority: Priority }) {
  return (
    <Badge
      color={PRIORITY_COLORS[priority] ?? 'gray'}
      variant="outline"
      size="sm"
      style={{ minWidth: 'max-content' }}
    >
      {label(priority)}
    </Badge>
  );
}
