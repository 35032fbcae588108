import { Alert, Button, Group, Stack, Text, Title } from '@mantine/core';
import { QueryState } from '@/components/common/QueryState';
import { RefundTable } from '@/components/refund/RefundTable';
import { useRefundList } from '@/hooks/useRefunds';

const QUEUE = { status: ['requested' as const], sort: 'created_at', limit: 25 };

/** Refunds waiting for a decision, oldest first: the agent's work queue. */
export function RefundQueuePage() {
  const list = useRefundList(QUEUE);
  const refunds = (list.data?.pages.flatMap((p) => p.items) ?? []).toSorted((a, b) =>
    a.created_at.localeCompare(b.created_at),
  );
  return (
    <Stack>
      <div>
        <Title order={1} size="h2">
          Refund queue
        </Title>
        <Text c="dimmed" size="sm">
          Requested refunds, oldest first.
        </Text>
      </div>
      <QueryState
        query={list}
        isEmpty={() => !refunds.length}
        empty={<Alert color="green">Nothing waiting. The queue is empty.</Alert>}
      >
        {() => (
          <>
            <RefundTable refunds={refunds} showCustomer />
            {list.hasNextPage ? (
              <Group justify="center">
                <Button
                  variant="default"
                  loading={list.isFetchingNextPage}
                  onClick={() => void list.fetchNextPage()}
                >
                  Load more
                </Button>
              </Group>
            ) : null}
          </>
        )}
      </QueryState>
    </Stack>
  );
}
