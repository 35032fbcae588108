import { api, unwrap } from './http';
import type { Stats } from './types';

export function fetchStats(): Promise<Stats> {
  return unwrap(api.GET('/api/v1/overview/stats'));
}
