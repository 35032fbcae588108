import { Alert, Anchor, Group, SegmentedControl, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { Link } from 'react-router';
import { ExportCsvButton } from '@/components/common/ExportCsvButton';
import { FilterBar } from '@/components/common/FilterBar';
import { PagedResults } from '@/components/common/PagedResults';
import { BulkBar, BulkResults } from '@/components/support/BulkBar';
import { CaseTable, type RowTools } from '@/components/support/CaseTable';
import { useAssignToMe, useBulkChangeCases, useCaseList } from '@/hooks/useCases';
import { SLA_STATUSES, SLA_STATUS_LABELS } from '@/components/support/slaWords';
import { useMe } from '@/hooks/useSession';
import { useStaff } from '@/hooks/useStaff';
import { useUrlFilters } from '@/hooks/useUrlFilters';
import { exportCasesCsv } from '@/services/cases';
import { problemText } from '@/components/common/forms';
import {
  CASE_STATUSES,
  CATEGORIES,
  PRIORITIES,
  isStaff,
  type BulkChanges,
  type BulkRow,
} from '@/services/types';
import { CASE_FILTERS, caseQuery, type CaseFilterKey } from './case/filters';

export function CasesPage() {
  const me = useMe();
  const staff = isStaff(me.role);
  const filters = useUrlFilters<CaseFilterKey>(CASE_FILTERS, me.id);
  const query = caseQuery(filters.values);
  const list = useCaseList(query);
  const bulk = useBulkChangeCases();
  const take = useAssignToMe();
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [results, setResults] = useState<BulkRow[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const staffList = useStaff(staff);
  const names = Object.fromEntries((staffList.data ?? []).map((s) => [s.id, s.name]));
  const cases = list.data?.pages.flatMap((p) => p.items) ?? [];
  // Subjects of the rows a bulk change named, kept as they were when it was sent.
  const [subjects, setSubjects] = useState<Record<string, string>>({});
  const tools: RowTools | undefined = staff
    ? {
        selected,
        meId: me.id,
        assigning: take.isPending ? (take.variables?.caseId ?? null) : null,
        onToggle: (id) =>
          setSelected((was) => {
            const next = new Set(was);
            if (next.has(id)) next.delete(id);
            else next.add(id);
            return next;
          }),
        onToggleAll: (ids, on) =>
          setSelected((was) => {
            const next = new Set(was);
            for (const id of ids)
              if (on) next.add(id);
              else next.delete(id);
            return next;
          }),
        onAssignToMe: (caseId) => {
          setError(null);
          take.mutate({ caseId, meId: me.id }, { onError: (e) => setError(problemText(e)) });
        },
      }
    : undefined;
  const apply = (changes: BulkChanges) => {
    const ids = [...selected];
    setError(null);
    setSubjects(Object.fromEntries(cases.map((c) => [c.id, c.subject])));
    bulk.mutate(
      { ids, changes },
      {
        onSuccess: (rows) => {
          setResults(rows);
          // The refused rows stay selected, to try something else with them.
          setSelected(new Set(rows.filter((r) => !r.ok).map((r) => r.id)));
        },
        onError: (e) => setError(problemText(e)),
      },
    );
  };
  const assignee = typeof filters.values.assignee_id === 'string' ? filters.values.assignee_id : '';
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
                    { value: 'none', label: 'Unassigned' },
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
      {staff ? (
        <SegmentedControl
          aria-label="Whose cases"
          size="xs"
          w="fit-content"
          value={assignee === 'me' || assignee === 'none' ? assignee : assignee ? 'other' : 'all'}
          onChange={(v) => filters.set({ assignee_id: v === 'all' ? undefined : v })}
          data={[
            { value: 'all', label: 'All' },
            { value: 'me', label: 'Assigned to me' },
            { value: 'none', label: 'Unassigned' },
            ...(assignee && assignee !== 'me' && assignee !== 'none'
              ? [{ value: 'other', label: 'Someone else', disabled: true }]
              : []),
          ]}
        />
      ) : null}
      {error ? (
        <Alert color="red" role="alert" withCloseButton onClose={() => setError(null)}>
          {error}
        </Alert>
      ) : null}
      {results ? (
        <BulkResults rows={results} subjects={subjects} onDismiss={() => setResults(null)} />
      ) : null}
      {staff && selected.size ? (
        <BulkBar
          count={selected.size}
          staff={staffList.data ?? []}
          meId={me.id}
          busy={bulk.isPending}
          onApply={apply}
          onClear={() => setSelected(new Set())}
        />
      ) : null}
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
          tools={tools}
        />
      </PagedResults>
    </Stack>
  );
}
