import { Badge, Group, Modal, Stack, Text, TextInput, UnstyledButton } from '@mantine/core';
import { useState } from 'react';
import { label } from '@/services/format';
import type { CannedReply } from '@/services/types';

interface Props {
  opened: boolean;
  replies: CannedReply[];
  onPick: (reply: CannedReply) => void;
  onClose: () => void;
}

/** A searchable list of canned replies: type to narrow, Enter takes the first match. */
export function CannedReplyPicker({ opened, replies, onPick, onClose }: Props) {
  const [search, setSearch] = useState('');
  const words = search.trim().toLowerCase();
  const matches = replies.filter(
    (r) => !words || `${r.title}\n${r.body}`.toLowerCase().includes(words),
  );
  const pick = (reply: CannedReply) => {
    setSearch('');
    onPick(reply);
  };
  return (
    <Modal
      opened={opened}
      onClose={() => {
        setSearch('');
        onClose();
      }}
      title="Insert a canned reply"
      size="lg"
    >
      <Stack gap="xs">
        <TextInput
          label="Search canned replies"
          placeholder="Title or words in the text"
          data-autofocus
          value={search}
          onChange={(e) => setSearch(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && matches[0]) {
              e.preventDefault();
              pick(matches[0]);
            }
          }}
        />
        {matches.length === 0 ? (
          <Text size="sm" c="dimmed">
            {replies.length === 0
              ? 'There are no canned replies yet: add some under Canned replies.'
              : 'No canned reply matches.'}
          </Text>
        ) : (
          <Stack gap={4} component="ul" p={0} m={0} aria-label="Canned replies">
            {matches.map((r) => (
              <li key={r.id} style={{ listStyle: 'none' }}>
                <UnstyledButton
                  onClick={() => pick(r)}
                  w="100%"
                  p="xs"
                  style={{
                    borderRadius: 4,
                    border: '1px solid var(--mantine-color-default-border)',
                  }}
                >
                  <Group justify="space-between" wrap="nowrap">
                    <Text size="sm" fw={600}>
                      {r.title}
                    </Text>
                    <Group gap={4} wrap="nowrap">
                      {r.set_status ? (
                        <Badge size="xs" variant="light">
                          sets {label(r.set_status)}
                        </Badge>
                      ) : null}
                      <Badge size="xs" variant="outline" color={r.shared ? 'teal' : 'gray'}>
                        {r.shared ? 'shared' : 'mine'}
                      </Badge>
                    </Group>
                  </Group>
                  <Text size="xs" c="dimmed" lineClamp={2}>
                    {r.body}
                  </Text>
                </UnstyledButton>
              </li>
            ))}
          </Stack>
        )}
      </Stack>
    </Modal>
  );
}
