import { Group, Stack, Title } from '@mantine/core';
import { exportRefundsCsv } from '@/services/refunds';
import { ExportCsvButton } from '@/components/common/ExportCsvButton';
import { FilterBar } from '@/components/common/FilterBar';
import { PagedResults } from '@/components/common/PagedResults';
import { RefundTable } from '@/components/refund/RefundTable';
import { useRefundList } from '@/hooks/useRefunds';
import { useMe } from '@/hooks/useSession';
import { useUrlFilters } from '@/hooks/useUrlFilters';
import { REFUND_STATUSES, isStaff } from '@/services/types';
import { REFUND_FILTERS, refundQuery, type RefundFilterKey } from './case/filters';

export function RefundsPage() {
  const me = useMe();
  const staff = isStaff(me.role);
  const filters = useUrlFilters<RefundFilterKey>(REFUND_FILTERS, me.id);
  const query = refundQuery(filters.values);
  const list = useRefundList(query);
  const refunds = list.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1} size="h2">
          {staff ? 'Refunds' : 'My refunds'}
        </Title>
        {staff ? (
          <ExportCsvButton download={() => exportRefundsCsv(query)} filename="refunds.csv" />
        ) : null}
      </Group>
      <FilterBar
        statuses={REFUND_STATUSES}
        fields={[
          { kind: 'text', name: 'order_id', label: 'Order', placeholder: 'ORD-1001' },
          ...(staff
            ? [
                {
                  kind: 'text' as const,
                  name: 'q',
                  label: 'Search',
                  placeholder: 'Customer name or email, order or refund id',
                },
                {
                  kind: 'text' as const,
                  name: 'customer_id',
                  label: 'Customer',
                  placeholder: 'CUST-1001',
                },
              ]
            : []),
        ]}
        values={filters.values}
        onChange={filters.set}
        onClear={filters.clear}
        onSaveDefault={filters.saveAsDefault}
        simple={!staff}
      />
      <PagedResults list={list} count={refunds.length} noun="refund">
        <RefundTable
          refunds={refunds}
          sort={query.sort ?? undefined}
          onSort={(sort) => filters.set({ sort })}
          showCustomer={staff}
        />
      </PagedResults>
    </Stack>
  );
}
