import { Alert, Anchor, Group, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import { ExportCsvButton } from '@/components/common/ExportCsvButton';
import { FilterBar } from '@/components/common/FilterBar';
import { PagedResults } from '@/components/common/PagedResults';
import { CaseTable } from '@/components/support/CaseTable';
import { SLA_STATUSES, SLA_STATUS_LABELS } from '@/components/support/slaWords';
import { useCaseList } from '@/hooks/useCases';
import { useMe } from '@/hooks/useSession';
import { useStaff } from '@/hooks/useStaff';
import { useUrlFilters } from '@/hooks/useUrlFilters';
import { exportCasesCsv } from '@/services/cases';
import { CASE_STATUSES, CATEGORIES, PRIORITIES, isStaff } from '@/services/types';
import { CASE_FILTERS, caseQuery, type CaseFilterKey } from './case/filters';

export function CasesPage() {
  const me = useMe();
  const staff = isStaff(me.role);
  const filters = useUrlFilters<CaseFilterKey>(CASE_FILTERS, me.id);
  const query = caseQuery(filters.values, me.id);
  const list = useCaseList(query);
  const staffList = useStaff(staff);
  const names = Object.fromEntries((staffList.data ?? []).map((s) => [s.id, s.name]));
  const cases = list.data?.pages.flatMap((p) => p.items) ?? [];
  // Sorting hides nothing: only the other filters can explain an empty list.
  const filtered = Object.entries(filters.values).some(([k, v]) => k !== 'sort' && v);
  const nothingYet = staff ? (
    <Alert color="gray">There are no support cases yet.</Alert>
  ) : (
    <Alert color="gray" title="You have no cases yet">
      To open one, go to{' '}
      <Anchor component={Link} to="/">
        My orders
      </Anchor>{' '}
      and choose the order it is about.
    </Alert>
  );

  return (
    <Stack>
      <Group justify="space-between" align="flex-start">
        <Title order={1} size="h2">
          {staff ? 'Support cases' : 'My cases'}
        </Title>
        {staff ? (
          <ExportCsvButton download={() => exportCasesCsv(query)} filename="support-cases.csv" />
        ) : null}
      </Group>
      {!staff ? (
        <Text c="dimmed" size="sm">
          To open a new case, go to the order it is about.
        </Text>
      ) : null}
      <FilterBar
        statuses={CASE_STATUSES}
        fields={[
          {
            kind: 'text',
            name: 'q',
            label: 'Search',
            placeholder: staff ? 'Text, customer name or email, order id' : 'Subject or text',
          },
          ...(staff
            ? [
                {
                  kind: 'select' as const,
                  name: 'priority',
                  label: 'Priority',
                  options: PRIORITIES,
                },
                {
                  kind: 'select' as const,
                  name: 'sla_status',
                  label: 'SLA',
                  options: SLA_STATUSES.map((v) => ({ value: v, label: SLA_STATUS_LABELS[v] })),
                },
                {
                  kind: 'select' as const,
                  name: 'category',
                  label: 'Category',
                  options: CATEGORIES,
                },
                {
                  kind: 'text' as const,
                  name: 'customer_id',
                  label: 'Customer',
                  placeholder: 'CUST-1001',
                },
                {
                  kind: 'select' as const,
                  name: 'assignee_id',
                  label: 'Assignee',
                  options: [
                    { value: 'me', label: 'Assigned to me' },
                    ...(staffList.data ?? [])
                      .filter((s) => s.id !== me.id)
                      .map((s) => ({ value: s.id, label: s.name })),
                  ],
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
      <PagedResults
        list={list}
        count={cases.length}
        noun="case"
        empty={filtered ? undefined : nothingYet}
      >
        <CaseTable
          cases={cases}
          sort={query.sort ?? undefined}
          onSort={(sort) => filters.set({ sort })}
          showAssignee={staff}
          showCustomer={staff}
          showSla={staff}
          names={names}
        />
      </PagedResults>
    </Stack>
  );
}
