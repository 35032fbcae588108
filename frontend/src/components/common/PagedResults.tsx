import { Alert, Button, Group, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { QueryState } from './QueryState';

/** The state of a "load more" list: what a paged query has fetched so far. */
export interface PagedState {
  isPending: boolean;
  isError: boolean;
  error: unknown;
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  refetch: () => unknown;
  fetchNextPage: () => unknown;
}

interface Props {
  list: PagedState;
  count: number;
  /** What one row is, for "3 cases" and "No cases match these filters." */
  noun: string;
  /** Shown instead of "No … match these filters." when nothing is filtered out: an empty
   * list then means there is nothing yet, and the page says what to do about it. */
  empty?: ReactNode;
  children: ReactNode;
}

/** Loading, error, empty and "Load more" around a table of results. */
export function PagedResults({ list, count, noun, empty, children }: Props) {
  return (
    <QueryState
      query={{
        isPending: list.isPending,
        isError: list.isError,
        error: list.error,
        refetch: list.refetch,
        data: count,
      }}
      isEmpty={(n) => !n}
      empty={empty ?? <Alert color="gray">No {noun}s match these filters.</Alert>}
    >
      {() => (
        <>
          {children}
          <Group justify="center">
            {list.hasNextPage ? (
              <Button
                variant="default"
                loading={list.isFetchingNextPage}
                onClick={() => void list.fetchNextPage()}
              >
                Load more
              </Button>
            ) : (
              <Text size="xs" c="dimmed">
                {count} {noun}
                {count === 1 ? '' : 's'}
              </Text>
            )}
          </Group>
        </>
      )}
    </QueryState>
  );
}
