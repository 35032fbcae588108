import { Group, Text, ThemeIcon } from '@mantine/core';
import { IconClock, IconClockOff } from '@tabler/icons-react';
import { describeWindow, formatDate, type WindowLike } from '@/services/format';

export function WindowText({ window, now }: { window: WindowLike; now?: number }) {
  const open = window.open;
  if (!window.delivered_at)
    // Not a window that closed: one that has not started.
    return (
      <Group gap="xs" wrap="nowrap" align="flex-start">
        <ThemeIcon size="sm" variant="light" color="gray">
          <IconClock size={14} />
        </ThemeIcon>
        <Text size="sm">Not delivered yet: the refund window starts when the order arrives.</Text>
      </Group>
    );
  return (
    <Group gap="xs" wrap="nowrap" align="flex-start">
      <ThemeIcon size="sm" variant="light" color={open ? 'teal' : 'orange'}>
        {open ? <IconClock size={14} /> : <IconClockOff size={14} />}
      </ThemeIcon>
      <div>
        <Text size="sm">
          {open ? 'Inside the refund window' : 'Outside the refund window'}:{' '}
          {describeWindow(window, now)}.
        </Text>
        {window.closes_at ? (
          <Text size="xs" c="dimmed">
            Window {open ? 'closes' : 'closed'} {formatDate(window.closes_at)}
          </Text>
        ) : null}
      </div>
    </Group>
  );
}
