import { Anchor, Stack, Text } from '@mantine/core';
import { Link } from 'react-router';
import type { CustomerRef } from '@/services/types';

interface Props {
  customerId: string;
  /** Who the order system said the customer was; absent on older cases and refunds. */
  customer?: CustomerRef | null;
  /** One line (name · email) instead of name over email. */
  inline?: boolean;
}

/** The customer as staff see them, linked to their page: a name and an address, not an id. */
export function CustomerLink({ customerId, customer, inline }: Props) {
  const to = `/customers/${encodeURIComponent(customerId)}`;
  const name = customer?.name || customerId;
  if (inline)
    return (
      <>
        <Anchor component={Link} to={to} size="sm">
          {name}
        </Anchor>
        {customer?.email ? ` (${customer.email})` : ''}
      </>
    );
  return (
    <Stack gap={0}>
      <Anchor component={Link} to={to} size="sm">
        {name}
      </Anchor>
      {customer?.email ? (
        <Text size="xs" c="dimmed">
          {customer.email}
        </Text>
      ) : null}
    </Stack>
  );
}
