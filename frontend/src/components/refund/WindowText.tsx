import { Group, Text, ThemeIcon } from '@mantine/core';
import { IconClock, IconClockOff } from '@tabler/icons-react';
import { describeWindow, formatDate, notLostYet, type WindowLike } from '@/services/format';

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The refund window in words, by the rule the server says decides it (`basis`). */
export function WindowText({ window, now }: { window: WindowLike; now?: number }) {
  const open = window.open;
  const byDelivery = !window.basis || window.basis === 'delivered';
  const unknown = !window.basis || window.basis === 'none';
  if (unknown && !window.delivered_at && !window.shipped_at)
    // Not a window that closed: one that has not started.
    return (
      <Group gap="xs" wrap="nowrap" align="flex-start">
        <ThemeIcon size="sm" variant="light" color="gray">
          <IconClock size={14} />
        </ThemeIcon>
        <Text size="sm">Not delivered yet: the refund window starts when the order arrives.</Text>
      </Group>
    );
  // A parcel that may still come, or one not sent: a window that has not closed.
  const waiting = notLostYet(window, now) || (window.basis === 'none' && !!window.shipped_at);
  return (
    <Group gap="xs" wrap="nowrap" align="flex-start">
      <ThemeIcon size="sm" variant="light" color={open ? 'teal' : waiting ? 'gray' : 'orange'}>
        {open || waiting ? <IconClock size={14} /> : <IconClockOff size={14} />}
      </ThemeIcon>
      <div>
        <Text size="sm">
          {byDelivery
            ? `${open ? 'Inside' : 'Outside'} the refund window: ${describeWindow(window, now)}`
            : capitalised(describeWindow(window, now))}
          .
        </Text>
        {window.closes_at && !waiting ? (
          <Text size="xs" c="dimmed">
            Window {open ? 'closes' : 'closed'} {formatDate(window.closes_at)}
          </Text>
        ) : null}
      </div>
    </Group>
  );
}
