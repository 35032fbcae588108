import { Paper, Stack, Text, Title } from '@mantine/core';
import type { SupportCase } from '@/services/types';
import { SlaBadge } from './SlaBadge';
import { clockWords } from './slaWords';

interface Props {
  supportCase: SupportCase;
  /** Now, for "breached 3 h ago" (a prop so tests fix it). */
  now?: Date;
}

/** Staff's view of a case's SLA: each clock in words, as the server worked it out. */
export function SlaClocks({ supportCase, now = new Date() }: Props) {
  const sla = supportCase.sla;
  if (!sla) return null;
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="sla-title">
      <Title order={5} mb="xs" id="sla-title">
        SLA <SlaBadge status={supportCase.sla_status} />
      </Title>
      <Stack gap={4}>
        <Text size="sm" data-testid="sla-first-response">
          {clockWords('first reply', sla.first_response, now)}
        </Text>
        <Text size="sm" data-testid="sla-resolution">
          {clockWords('resolution', sla.resolution, now)}
        </Text>
      </Stack>
    </Paper>
  );
}
