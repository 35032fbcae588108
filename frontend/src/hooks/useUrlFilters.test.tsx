import { act, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { useUrlFilters } from './useUrlFilters';
import { CASE_STATUSES, PRIORITIES } from '@/services/types';
import { LocationProbe, renderWithProviders } from '@/test/render';
import { FilterBar } from '@/components/common/FilterBar';

const SPEC = {
  scope: 'cases',
  multi: ['status'],
  single: ['priority', 'q', 'created_after', 'created_before'],
} as const;
type Key = (typeof SPEC.multi)[number] | (typeof SPEC.single)[number];

function Harness() {
  const filters = useUrlFilters<Key>(SPEC, 'usr_bob');
  return (
    <>
      <FilterBar
        statuses={CASE_STATUSES}
        fields={[
          { kind: 'text', name: 'q', label: 'Search' },
          { kind: 'select', name: 'priority', label: 'Priority', options: PRIORITIES },
        ]}
        values={filters.values}
        onChange={(patch) => filters.set(patch)}
        onClear={filters.clear}
        onSaveDefault={filters.saveAsDefault}
      />
      <LocationProbe />
    </>
  );
}

const url = () => screen.getByRole('status', { name: 'Current URL' }).textContent ?? '';
/** The URL's filters, order aside. */
const filters = () =>
  [...new URL(url(), 'http://x').searchParams.entries()].map(([k, v]) => `${k}=${v}`).sort();

beforeEach(() => localStorage.clear());

describe('FilterBar with URL filters', () => {
  it('reads its state from the URL', () => {
    renderWithProviders(<Harness />, {
      route: '/cases?status=open&status=resolved&priority=high&q=cable',
    });
    expect(screen.getByRole('checkbox', { name: 'Open' })).toBeChecked();
    expect(screen.getByRole('checkbox', { name: 'Resolved' })).toBeChecked();
    expect(screen.getByRole('checkbox', { name: 'Closed' })).not.toBeChecked();
    expect(screen.getByRole('combobox', { name: 'Priority' })).toHaveValue('high');
    expect(screen.getByRole('textbox', { name: 'Search' })).toHaveValue('cable');
  });

  it('writes every change to the URL and clears it', async () => {
    const user = userEvent.setup();
    renderWithProviders(<Harness />, { route: '/cases' });

    await user.click(screen.getByRole('checkbox', { name: 'Open' }));
    await user.click(screen.getByRole('checkbox', { name: 'In progress' }));
    expect(url()).toBe('/cases?status=open&status=in_progress');

    await user.selectOptions(screen.getByRole('combobox', { name: 'Priority' }), 'urgent');
    expect(url()).toContain('priority=urgent');

    await user.type(screen.getByRole('textbox', { name: 'Search' }), 'broken{Enter}');
    expect(url()).toContain('q=broken');

    await user.click(screen.getByRole('checkbox', { name: 'Open' }));
    expect(filters()).toEqual(['priority=urgent', 'q=broken', 'status=in_progress']);

    await user.click(screen.getByRole('button', { name: 'Clear filters' }));
    expect(url()).toBe('/cases');
    expect(screen.getByRole('textbox', { name: 'Search' })).toHaveValue('');
  });

  it('opens a bare URL with the filters the user saved as default', async () => {
    const user = userEvent.setup();
    const first = renderWithProviders(<Harness />, { route: '/cases?status=waiting_on_customer' });
    await user.click(screen.getByRole('button', { name: 'Save as my default filters' }));
    first.unmount();

    renderWithProviders(<Harness />, { route: '/cases' });
    await waitFor(() => expect(url()).toBe('/cases?status=waiting_on_customer'));
    expect(screen.getByRole('checkbox', { name: 'Waiting on customer' })).toBeChecked();
  });
});

describe('filters compose whatever the timing', () => {
  it('keeps a status ticked while the search typed just before it settles', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    try {
      const user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime });
      renderWithProviders(<Harness />, { route: '/cases' });

      await user.type(screen.getByRole('textbox', { name: 'Search' }), 'cable');
      await user.click(screen.getByRole('checkbox', { name: 'Open' })); // within the 400 ms
      await act(() => vi.advanceTimersByTimeAsync(1000)); // the search settles

      expect(filters()).toEqual(['q=cable', 'status=open']);
      expect(screen.getByRole('checkbox', { name: 'Open' })).toBeChecked();
    } finally {
      vi.useRealTimers();
    }
  });
});
