import { Badge, Button, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { ConfirmButton } from '@/components/common/ConfirmButton';
import { QueryState } from '@/components/common/QueryState';
import { CannedReplyForm } from '@/components/support/CannedReplyForm';
import {
  useCannedReplies,
  useDeleteCannedReply,
  useSaveCannedReply,
} from '@/hooks/useCannedReplies';
import { useStaffNames } from '@/hooks/useStaff';
import { label } from '@/services/format';

/** The team's shared replies and the caller's own: write, change, delete. */
export function CannedRepliesPage() {
  const replies = useCannedReplies();
  const save = useSaveCannedReply();
  const remove = useDeleteCannedReply();
  const names = useStaffNames(true);
  const [editing, setEditing] = useState<string | null>(null);
  return (
    <Stack>
      <div>
        <Title order={1} size="h2">
          Canned replies
        </Title>
        <Text c="dimmed" size="sm">
          In a case's reply box, type / or press “Canned reply” to insert one. A shared reply is the
          team's: its author or an admin changes it. A personal one is yours alone.
        </Text>
      </div>
      <Paper withBorder p="md" component="section" aria-label="New canned reply">
        <Title order={2} size="h5" mb="sm">
          New canned reply
        </Title>
        <CannedReplyForm onSave={(body) => save.mutateAsync({ body })} />
      </Paper>
      <QueryState
        query={replies}
        isEmpty={(list) => !list.length}
        empty={<Text size="sm">No canned replies yet.</Text>}
      >
        {(list) => (
          <Stack gap="sm" component="ul" p={0} m={0} aria-label="Canned replies">
            {list.map((r) => (
              <Paper component="li" key={r.id} withBorder p="md" style={{ listStyle: 'none' }}>
                {editing === r.id ? (
                  <CannedReplyForm
                    reply={r}
                    onSave={async (body) => {
                      await save.mutateAsync({ id: r.id, body, version: r.version });
                      setEditing(null);
                    }}
                    onCancel={() => setEditing(null)}
                  />
                ) : (
                  <Stack gap={4}>
                    <Group justify="space-between" wrap="nowrap" align="flex-start">
                      <Group gap="xs">
                        <Text fw={600}>{r.title}</Text>
                        <Badge size="xs" variant="outline" color={r.shared ? 'teal' : 'gray'}>
                          {r.shared ? 'shared' : 'personal'}
                        </Badge>
                        {r.set_status ? (
                          <Badge size="xs" variant="light">
                            sets {label(r.set_status)}
                          </Badge>
                        ) : null}
                      </Group>
                      {r.may_change ? (
                        <Group gap="xs" wrap="nowrap">
                          <Button
                            size="compact-sm"
                            variant="light"
                            onClick={() => setEditing(r.id)}
                          >
                            Edit
                          </Button>
                          <ConfirmButton
                            size="compact-sm"
                            color="red"
                            variant="subtle"
                            aria-label={`Delete “${r.title}”`}
                            title={`Delete “${r.title}”?`}
                            consequence={
                              r.shared
                                ? 'Nobody in the team will find it in the reply box any more.'
                                : 'It will be gone from your reply box.'
                            }
                            confirmLabel="Delete canned reply"
                            onConfirm={() => remove.mutate(r.id)}
                          >
                            Delete
                          </ConfirmButton>
                        </Group>
                      ) : null}
                    </Group>
                    <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
                      {r.body}
                    </Text>
                    <Text size="xs" c="dimmed">
                      By {names[r.owner_id] ?? r.owner_id}
                    </Text>
                  </Stack>
                )}
              </Paper>
            ))}
          </Stack>
        )}
      </QueryState>
    </Stack>
  );
}
