import { useQuery } from '@tanstack/react-query';
import { fetchStats } from '@/services/overview';
import { keys } from './keys';

export function useStats() {
  return useQuery({ queryKey: keys.stats, queryFn: fetchStats, refetchInterval: 60_000 });
}
