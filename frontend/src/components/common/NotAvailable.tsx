import { Paper, Text, Title } from '@mantine/core';
import { IconPlugConnectedX } from '@tabler/icons-react';

/** A calm empty state for a feature this server does not offer (not built in, or off). */
export function NotAvailable({ what, why }: { what: string; why: string }) {
  return (
    <Paper withBorder p="xl" ta="center" role="status">
      <IconPlugConnectedX size={32} color="var(--mantine-color-dimmed)" />
      <Title order={4} mt="sm">
        {what} is not available here
      </Title>
      <Text size="sm" c="dimmed" mt={4}>
        {why}
      </Text>
    </Paper>
  );
}
