import { useQuery } from '@tanstack/react-query';
import { listStaff } from '@/services/staff';
import { keys } from './keys';

/** Support staff, for assigning cases and naming authors; only staff may ask. */
export function useStaff(enabled: boolean) {
  return useQuery({ queryKey: keys.staff, queryFn: listStaff, enabled, staleTime: 5 * 60_000 });
}

export function useStaffNames(enabled: boolean): Record<string, string> {
  const staff = useStaff(enabled);
  return Object.fromEntries((staff.data ?? []).map((s) => [s.id, s.name]));
}
