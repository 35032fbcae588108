import { Badge, Group, Paper, Stack, Text } from '@mantine/core';
import { IconLock } from '@tabler/icons-react';
import { formatDateTime, label } from '@/services/format';
import type { Attachment, Message } from '@/services/types';

interface Props {
  messages: Message[];
  /** What shows a message's files (thumbnails that open a viewer). */
  renderAttachments?: (attachments: Attachment[]) => React.ReactNode;
  currentUserId: string;
  /** Names for author ids the viewer knows (e.g. themselves). */
  names?: Record<string, string>;
}

export function MessageThread({ messages, currentUserId, names = {}, renderAttachments }: Props) {
  if (!messages.length) {
    return (
      <Text c="dimmed" size="sm">
        No messages yet.
      </Text>
    );
  }
  return (
    <Stack
      gap="sm"
      component="ol"
      style={{ listStyle: 'none', padding: 0, margin: 0 }}
      aria-label="Messages"
    >
      {messages.map((m) => {
        const mine = m.author_id === currentUserId;
        const who = mine
          ? 'You'
          : (names[m.author_id] ??
            (m.author_role === 'customer' ? 'Customer' : `Support (${label(m.author_role)})`));
        return (
          <Paper
            component="li"
            key={m.id}
            withBorder
            p="sm"
            radius="md"
            aria-label={m.internal ? `Internal note by ${who}` : `Message by ${who}`}
            bg={
              m.internal
                ? 'var(--mantine-color-yellow-light)'
                : mine
                  ? 'var(--mantine-color-blue-light)'
                  : undefined
            }
            style={
              m.internal
                ? { borderStyle: 'dashed', borderColor: 'var(--mantine-color-yellow-6)' }
                : undefined
            }
          >
            <Group justify="space-between" gap="xs" mb={4}>
              <Group gap="xs">
                <Text fw={600} size="sm">
                  {who}
                </Text>
                {m.internal ? (
                  <Badge color="yellow" size="xs" leftSection={<IconLock size={10} />}>
                    Internal note
                  </Badge>
                ) : null}
              </Group>
              <Text size="xs" c="dimmed">
                {formatDateTime(m.created_at)}
              </Text>
            </Group>
            <Text size="sm" style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>
              {m.body}
            </Text>
            {m.attachments?.length && renderAttachments ? renderAttachments(m.attachments) : null}
          </Paper>
        );
      })}
    </Stack>
  );
}
