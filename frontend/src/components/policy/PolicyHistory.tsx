import { Table, Text } from '@mantine/core';
import { formatDateTime } from '@/services/format';
import { policyChanges } from '@/services/policyWords';
import type { RefundPolicy } from '@/services/types';

/** Every version, newest first, each with what it changed from the one before. */
export function PolicyHistory({ versions }: { versions: RefundPolicy[] }) {
  return (
    <Table.ScrollContainer minWidth={640}>
      <Table verticalSpacing="xs" aria-label="Policy versions">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Version</Table.Th>
            <Table.Th>Published</Table.Th>
            <Table.Th>Note</Table.Th>
            <Table.Th>What changed</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {versions.map((v, i) => {
            const previous = versions[i + 1];
            return (
              <Table.Tr key={v.version}>
                <Table.Td>{v.version}</Table.Td>
                <Table.Td>
                  <Text size="sm">
                    {/* Version 1 was never published: its note says it is the settings. */}
                    {v.created_at === null
                      ? '—'
                      : `${v.created_by?.name ?? 'an admin'}, ${formatDateTime(v.created_at)}`}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{v.note || '—'}</Text>
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{previous ? policyChanges(previous, v) : 'the first rules'}</Text>
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
